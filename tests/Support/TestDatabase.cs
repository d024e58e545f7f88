using SegCluster.Storage;

namespace SegCluster.Tests;

/// <summary>
/// A fresh database per test on SEGCLUSTER_DB (the server ./segcluster test holds), else on the project's local
/// PostgreSQL, which this test process starts if needed and leaves when it exits (plain `dotnet test`).
/// </summary>
public static class TestDatabase
{
    public static async Task<ScratchDatabase> CreateAsync() =>
        await ScratchDatabase.CreateAsync(await ServerAsync(), "t", migrate: false, pooling: false);

    /// <summary>A fresh database with SegCluster's schema (Orleans tables included) applied.</summary>
    public static async Task<ScratchDatabase> CreateMigratedAsync() =>
        await ScratchDatabase.CreateAsync(await ServerAsync(), "t", migrate: true, pooling: false);

    /// <summary>The server the tests' databases are made on (for a CLI command that makes its own).</summary>
    public static async Task<string> ServerAsync() =>
        Environment.GetEnvironmentVariable(DatabaseSettings.EnvironmentVariable) is { Length: > 0 } server ? server : await LocalPostgres.ForThisProcessAsync();
}
