using Npgsql;
using Orleans.TestingHost;
using SegCluster.Learning.Data;
using SegCluster.Silo;
using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Grains.Tests;

/// <summary>
/// One silo in the test process (Orleans' InProcessTestCluster: its own membership, so no device slot ever counts and
/// no fold is placed), with the silo's services and PostgreSQL grain storage: for the run grain's own logic (what it
/// refuses before any fold starts), in seconds and without silo processes.
/// </summary>
public sealed class InProcessClusterFixture : IAsyncLifetime
{
    private InProcessTestCluster cluster = null!;
    private string root = "";

    public ScratchDatabase Database { get; private set; } = null!;
    public IClusterClient Client => cluster.Client;
    public SyntheticPascal.Layout Data { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateMigratedAsync();
        root = Directory.CreateTempSubdirectory("segcluster-inprocess-").FullName;
        Data = SmallRuns.GenerateData(Path.Combine(root, "data"));
        var settings = new SiloSettings { Devices = ["cpu:0"], TorchThreads = 1, CheckpointRoot = Path.Combine(root, "checkpoints"), DataRoots = [Path.Combine(root, "data")] };
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSiloHost((_, host) => SiloHostBuilder.AddServices(host, Database.ConnectionString, settings));
        builder.ConfigureSilo((_, silo) => SiloHostBuilder.ConfigureGrains(silo, Database.ConnectionString));
        cluster = builder.Build();
        await cluster.DeployAsync();
    }

    /// <summary>The stored rows of a run, or of every run.</summary>
    public async Task<long> RunRowsAsync(string? runId = null)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM runs WHERE @run::text IS NULL OR run_id = @run", connection);
        command.Parameters.AddWithValue("run", (object?)runId ?? DBNull.Value);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await cluster.DisposeAsync();
        await Database.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }
}
