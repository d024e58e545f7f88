using SegCluster.Client;
using SegCluster.Contracts;
using SegCluster.Cli.Commands;
using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Cli.Tests;

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

    [Theory]
    [InlineData("cuda:0", "device slot cuda:0 cannot be used: this build's libtorch is CPU-only")]
    [InlineData("gpu0", "device slot 'gpu0' is not cpu, cpu:N or cuda:N")]
    [InlineData("cuda:", "device slot 'cuda:' is not cpu, cpu:N or cuda:N")]
    [InlineData("cuda:-1", "device slot 'cuda:-1' is not cpu, cpu:N or cuda:N")]
    public async Task A_silo_offering_a_device_it_cannot_use_refuses_to_start_before_joining(string slot, string line)
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var started = System.Diagnostics.Stopwatch.StartNew();
        var (exitCode, output) = await CliProcess.RunAsync(database.ConnectionString,
            "silo", "--name", "refused", "--port", LoopbackPorts.Free().ToString(), "--gateway", LoopbackPorts.Free().ToString(), "--devices", slot);

        Assert.NotEqual(0, exitCode);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(60), $"took {started.Elapsed}");   // no retry loop, no cluster join
        Assert.StartsWith($"error: {line}", Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.DoesNotContain("   at ", output);
        Assert.Equal(0L, await CountAsync(database.ConnectionString, "SELECT count(*) FROM OrleansMembershipTable"));
        Assert.Equal(0L, await CountAsync(database.ConnectionString, "SELECT count(*) FROM device_slots"));
    }

    [Fact]
    public async Task Gpu_check_says_in_one_line_that_there_is_no_cuda_device_and_checks_itself_cpu_against_cpu()
    {
        var (noCuda, noCudaOutput) = await CliProcess.RunAsync(null, "gpu-check");
        Assert.Equal(2, noCuda);
        Assert.Equal("gpu-check: no CUDA device: this build's libtorch is CPU-only (libtorch_cuda.so is not loaded); build with -p:TorchBackend=cuda",
            noCudaOutput.Trim());

        var json = Path.Combine(Path.GetTempPath(), $"segcluster-gpu-check-{Guid.NewGuid():N}.json");
        var (self, selfOutput) = await CliProcess.RunAsync(null, "gpu-check", "--devices", "cpu", "--preset", "tiny", "--query-size", "64",
            "--support-size", "64", "--steps", "3", "--episodes", "2", "--threads", "1", "--json", json);
        Assert.True(self == 0, selfOutput);
        using var result = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var device = Assert.Single(result.RootElement.GetProperty("devices").EnumerateArray());
        // The same code on the same device computes the same numbers: every difference is exactly zero.
        Assert.Equal(0, device.GetProperty("maxLossRelativeDifference").GetDouble());
        Assert.Equal(0, device.GetProperty("maxWeightRelativeDifference").GetDouble());
        Assert.Equal(1, device.GetProperty("maskAgreement").GetDouble());
        Assert.True(device.GetProperty("checkpointRoundTrip").GetBoolean());
        Assert.True(result.RootElement.GetProperty("passed").GetBoolean());
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

    private static Task<long> CountRunsAsync(string connectionString) => CountAsync(connectionString, "SELECT count(*) FROM runs");

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand(sql, connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
