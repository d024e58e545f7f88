using SegCluster.Client;
using SegCluster.Contracts;
using SegCluster.Silo.Commands;
using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Silo.Tests;

public sealed class SiloProcessTests
{
    [Fact]
    public async Task Client_calls_a_grain_on_a_silo_process_clustered_through_postgres()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await using var silo = CliProcess.Start(database.ConnectionString,
            "silo", "--name", "probe", "--port", LoopbackPorts.Free().ToString(), "--gateway", LoopbackPorts.Free().ToString(),
            "--devices", "cpu:7");

        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var client = await ClusterClientHost.ConnectWithRetryAsync(database.ConnectionString, cancel.Token);
        var description = await client.Client.GetGrain<ISiloInfoGrain>(0).DescribeAsync();

        Assert.Equal("probe", description.SiloName);
        Assert.Equal(silo.Process.Id, description.ProcessId);
        Assert.Equal(["cpu:7"], description.Devices);
        Assert.Equal(45.0, description.TorchCheckSum);   // sum of 0..9, computed by libtorch inside the silo process
    }

    [Fact]
    public void The_cli_and_its_silos_run_without_profile_guided_recompilation()
    {
        // Read by the runtime at start: with PGO a silo's per-batch code was recompiled twice during bench cluster.
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "segcluster.runtimeconfig.json")));
        Assert.False(config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }

    [Fact]
    public async Task Unknown_subcommand_fails_with_usage()
    {
        var (exitCode, output) = await CliProcess.RunAsync(null, "no-such-command");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Usage", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_connection_string_can_come_from_standard_configuration()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (exitCode, output) = await CliProcess.RunWithEnvironmentAsync(
            new Dictionary<string, string> { ["SEGCLUSTER_DB"] = "", ["ConnectionStrings__SegCluster"] = database.ConnectionString }, "migrate");
        Assert.True(exitCode == 0, output);
        Assert.Contains("0006_device_slots", output);
    }

    [Fact]
    public async Task Migrate_without_a_database_names_the_setting()
    {
        var (exitCode, output) = await CliProcess.RunAsync("", "migrate");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("SEGCLUSTER_DB", output);
    }

    [Fact]
    public async Task Migrate_wait_applies_nothing_and_returns_once_the_schema_is_current()
    {
        // What k8s init containers run while the migration Job works.
        await using var database = await TestDatabase.CreateAsync();
        var (pending, pendingOutput) = await CliProcess.RunAsync(database.ConnectionString, "migrate", "--wait", "--timeout", "1");
        Assert.NotEqual(0, pending);
        Assert.Contains("not current after 1 s: migrations pending", pendingOutput);

        SchemaMigrator.Apply(database.ConnectionString);
        var (current, currentOutput) = await CliProcess.RunAsync(database.ConnectionString, "migrate", "--wait");
        Assert.True(current == 0, currentOutput);
        Assert.Contains("schema current", currentOutput);
    }

    [Fact]
    public async Task Reproduce_needs_the_real_inputs_and_refuses_a_cluster_without_the_requested_gpus()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var data = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "segcluster-reproduce-" + Guid.NewGuid().ToString("N"))).FullName;
        var weights = Path.Combine(data, "vgg16.pth");
        await File.WriteAllTextAsync(weights, "");

        var (noWeights, noWeightsOutput) = await CliProcess.RunAsync(database.ConnectionString, "reproduce", "--voc", data, "--sbd", data);
        Assert.Equal(1, noWeights);
        Assert.Contains("--weights: required", noWeightsOutput);

        // No silo is running: no CUDA slot is offered, so the 60k-iteration protocol never starts on the wrong device.
        var (noGpu, noGpuOutput) = await CliProcess.RunAsync(database.ConnectionString, "reproduce", "--voc", data, "--sbd", data, "--weights", weights);
        Assert.Equal(1, noGpu);
        Assert.Contains("--device cuda: no active silo offers a cuda slot (offered: none)", noGpuOutput);
        Assert.Equal(0L, await CountRunsAsync(database.ConnectionString));
    }

    private static async Task<long> CountRunsAsync(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM runs", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
