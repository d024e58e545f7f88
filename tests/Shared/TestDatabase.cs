using Npgsql;

namespace SegCluster.Tests;

/// <summary>
/// A fresh database on the PostgreSQL that ./segcluster test started (SEGCLUSTER_DB), dropped on dispose,
/// so tests never see each other's rows.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string adminConnectionString;

    public string Name { get; }
    public string ConnectionString { get; }

    private TestDatabase(string adminConnectionString, string name)
    {
        this.adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, Pooling = false }.ConnectionString;
    }

    public static async Task<TestDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable("SEGCLUSTER_DB");
        if (string.IsNullOrWhiteSpace(server))
            throw new InvalidOperationException("SEGCLUSTER_DB is not set: run the suite through ./segcluster test, which starts PostgreSQL.");
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return new TestDatabase(admin, name);
    }

    /// <summary>A fresh database with SegCluster's schema (Orleans tables included) applied.</summary>
    public static async Task<TestDatabase> CreateMigratedAsync()
    {
        var database = await CreateAsync();
        Storage.SchemaMigrator.Apply(database.ConnectionString);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
