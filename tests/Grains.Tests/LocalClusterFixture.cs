using Npgsql;
using SegCluster.Client;
using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Silo;
using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Grains.Tests;

/// <summary>A <see cref="ProcessCluster"/> of three silos on a fresh database, shared by a test class.</summary>
public class LocalClusterFixture : IAsyncLifetime
{
    protected virtual int SiloCount => 3;

    private ProcessCluster cluster = null!;
    public ScratchDatabase Database { get; private set; } = null!;
    public LocalCluster Cluster => cluster.Silos;
    public ClusterClientHost Client => cluster.ClientHost;
    public SyntheticPascal.Layout Data => cluster.Data;
    public string Checkpoints => cluster.Checkpoints;
    public string DataRoot => cluster.DataRoot;
    public ResultsStore Results => cluster.Results;

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();   // the cluster applies the schema
        cluster = await ProcessCluster.StartAsync(Database.ConnectionString, SiloCount);
    }

    public RunConfig SmallRun(string runId, int[] folds, int iterations = 40, int episodes = 30) => cluster.SmallRun(runId, folds, iterations, episodes);

    public Task StartAsync(RunConfig config, string? group = null) => cluster.StartAsync(config, group: group);

    public Task<RunStatus> WaitAsync(string runId, TimeSpan timeout, Func<RunStatus, bool>? until = null, bool silosMustLive = true) =>
        cluster.WaitAsync(runId, timeout, until, silosMustLive);

    public async Task<long> ScalarAsync(string sql, params (string, object)[] parameters) => Convert.ToInt64(await QueryScalarAsync(sql, parameters));

    public async Task<string?> ScalarTextAsync(string sql) => (await QueryScalarAsync(sql))?.ToString();

    private async Task<object?> QueryScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await cluster.DisposeAsync();
        await Database.DisposeAsync();
    }
}
