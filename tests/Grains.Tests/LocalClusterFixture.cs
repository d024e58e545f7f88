using SegCluster.Client;
using Npgsql;
using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Silo;
using SegCluster.Cli.Commands;
using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Grains.Tests;

/// <summary>
/// A real cluster for integration tests: silo processes of the built CLI on loopback, ADO.NET clustering on a
/// fresh PostgreSQL database, one CPU device slot per silo, and a small generated data set.
/// </summary>
public class LocalClusterFixture : IAsyncLifetime
{
    protected virtual int SiloCount => 3;

    public ScratchDatabase Database { get; private set; } = null!;
    public LocalCluster Cluster { get; private set; } = null!;
    public ClusterClientHost Client { get; private set; } = null!;
    public SyntheticPascal.Layout Data { get; private set; } = null!;
    public string Checkpoints { get; private set; } = null!;
    public ResultsStore Results => new(Database.ConnectionString);

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateMigratedAsync();
        var root = Path.Combine(Path.GetTempPath(), "segcluster-tests", Guid.NewGuid().ToString("N"));
        Data = SyntheticPascal.Generate(Path.Combine(root, "data"), new SyntheticPascal.Options(Images: 200, Size: 48, Seed: 4));
        Checkpoints = Path.Combine(root, "checkpoints");
        var basePort = LocalCluster.FreePortBlock();
        Cluster = LocalCluster.Start(SiloCount, Database.ConnectionString, torchThreads: 1, Checkpoints, root, basePort, basePort + 5);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        Client = await ClusterClientHost.ConnectWithRetryAsync(Database.ConnectionString, timeout.Token, beforeRetry: Cluster.ThrowIfAnyExited);
        await new RunClient(Client.Client).WaitForSilosAsync(SiloCount, timeout.Token, Cluster.ThrowIfAnyExited);
    }

    /// <summary>A small, fast run on the fixture's data (tiny preset, 48-pixel inputs, 1-shot).</summary>
    public RunConfig SmallRun(string runId, int[] folds, int iterations = 40, int episodes = 30) => RunConfig.PaperProtocol with
    {
        RunId = runId,
        Folds = folds,
        Shots = [1],
        Methods = ["oslsm", "all-foreground"],
        Preset = "tiny",
        QuerySize = 48,
        SupportSize = 48,
        Voc = Path.GetDirectoryName(Data.Voc)!,
        Sbd = Path.GetDirectoryName(Data.Sbd)!,
        Iterations = iterations,
        CheckpointEvery = Math.Max(1, iterations / 4),
        ProgressEvery = 10,
        Episodes = episodes,
        BatchSize = 7,
        LearningRate = 1e-3,
        ConditioningLearningRateMultiplier = 1,
        MeanLoss = true,
        Optimizer = "adam",
    };

    public Task StartAsync(RunConfig config) => new RunClient(Client.Client).StartAsync(config);

    public async Task<RunStatus> WaitAsync(string runId, TimeSpan timeout, Func<RunStatus, bool>? until = null, bool silosMustLive = true)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await new RunClient(Client.Client).StatusAsync(runId);
            if ((until ?? (s => s.IsFinished))(status)) return status;
            if (silosMustLive) Cluster.ThrowIfAnyExited();
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"run {runId} still {status.State}: {string.Join("; ", status.Folds)}");
            await Task.Delay(500);
        }
    }

    public async Task<long> ScalarAsync(string sql, params (string, object)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public async Task<string?> ScalarTextAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())?.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Cluster.DisposeAsync();
        await Database.DisposeAsync();
    }
}
