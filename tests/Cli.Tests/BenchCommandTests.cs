using SegCluster.Tests;
using System.Text.Json;

namespace SegCluster.Cli.Tests;

/// <summary>The benchmarks keep working (quick mode); their figures are reported, never asserted.</summary>
public sealed class BenchCommandTests
{
    [Fact]
    public async Task Quick_parity_times_whole_episodes_on_both_sides_and_they_agree()
    {
        var json = Path.Combine(Path.GetTempPath(), $"segcluster-bench-{Guid.NewGuid():N}.json");
        var (exitCode, output) = await CliProcess.RunAsync(null, "bench", "parity", "--quick", "--threads", "1", "--json", json);
        Assert.True(exitCode == 0, output);
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var parity = result.RootElement.GetProperty("parity");
        var settings = parity.GetProperty("settings");
        var timed = settings.GetProperty("rounds").GetInt32() * settings.GetProperty("timedPerTurn").GetInt32();
        Assert.Equal(timed, parity.GetProperty("torchSharpSeconds").GetArrayLength());
        Assert.Equal(timed, parity.GetProperty("pyTorchSeconds").GetArrayLength());
        Assert.True(parity.GetProperty("ratio").GetDouble() > 0);
        Assert.True(parity.GetProperty("maxRelativeLogitDifference").GetDouble() <= 1e-4, output);
        // The two sides decode and resample the same files with different libraries: a few grey levels at most, the same answer.
        Assert.InRange(parity.GetProperty("maxInputDifference").GetDouble(), 0, 0.1);
        Assert.Equal(parity.GetProperty("pyTorchIou").GetDouble(), parity.GetProperty("torchSharpIou").GetDouble(), 3);
        Assert.True(parity.GetProperty("maskAgreement").GetDouble() >= 0.99, output);
        Assert.Equal(1, result.RootElement.GetProperty("environment").GetProperty("threads").GetInt32());
    }

    [Fact]
    public async Task Quick_pretraining_draws_both_starts_curves_with_their_logreg_lines()
    {
        var json = Path.Combine(Path.GetTempPath(), $"segcluster-bench-{Guid.NewGuid():N}.json");
        var report = Directory.CreateTempSubdirectory("segcluster-bench-report-").FullName;
        var (exitCode, output) = await CliProcess.RunAsync(null, "bench", "pretraining", "--quick", "--threads", "1", "--json", json, "--report", report);
        Assert.True(exitCode == 0, output);
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var pretraining = result.RootElement.GetProperty("pretraining");
        Assert.Equal("e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f", pretraining.GetProperty("weightsSha256").GetString());
        var starts = pretraining.GetProperty("starts").EnumerateArray().ToList();
        Assert.Equal([false, true], starts.Select(s => s.GetProperty("fromScratch").GetBoolean()));
        foreach (var start in starts)
        {
            // Evaluated before the first iteration, every 10 and after the last (20), each on the same 10 episodes.
            var curve = start.GetProperty("curve").EnumerateArray().ToList();
            Assert.Equal([0, 10, 20], curve.Select(p => p.GetProperty("iteration").GetInt32()));
            Assert.All(curve, p => Assert.Equal(10, p.GetProperty("episodes").GetInt32()));
            Assert.All(curve, p => Assert.InRange(p.GetProperty("meanIou").GetDouble(), 0, 1));
            Assert.InRange(start.GetProperty("logReg").GetDouble(), 0, 1);
        }
        // The two starts differ before any training: the ImageNet weights are not the seed's.
        Assert.NotEqual(starts[0].GetProperty("curve")[0].GetProperty("meanIou").GetDouble(), starts[1].GetProperty("curve")[0].GetProperty("meanIou").GetDouble());
        var markdown = await File.ReadAllTextAsync(Path.Combine(report, "benchmarks.md"));
        Assert.Contains("## pretraining (Figure 3)", markdown);
        Assert.True(new FileInfo(Path.Combine(report, "pretraining.png")).Length > 1000);
    }

    [Fact]
    public async Task Quick_table2_times_every_method_of_the_paper_with_its_operations()
    {
        var json = Path.Combine(Path.GetTempPath(), $"segcluster-bench-{Guid.NewGuid():N}.json");
        var (exitCode, output) = await CliProcess.RunAsync(null, "bench", "table2", "--quick", "--threads", "1", "--json", json);
        Assert.True(exitCode == 0, output);
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var table2 = Assert.Single(result.RootElement.GetProperty("table2").EnumerateArray());
        var rows = table2.GetProperty("methods").EnumerateArray()
            .Select(m => (Method: m.GetProperty("method").GetString(), Shots: m.GetProperty("shots").GetInt32(), Row: m)).ToList();
        // Table 2's rows: five methods 1-shot, four 5-shot (fine-tuning and Siamese are 1-shot; co-segmentation 5-shot).
        Assert.Equal(["1-nn/1", "1-nn/5", "co-segmentation/5", "finetune/1", "logreg/1", "logreg/5", "oslsm/1", "oslsm/5", "siamese/1"],
            rows.Select(r => $"{r.Method}/{r.Shots}").Order());
        Assert.All(rows, r => Assert.True(r.Row.GetProperty("gigaFlops").GetDouble() > 0 && r.Row.GetProperty("medianSeconds").GetDouble() > 0));
        Assert.All(rows.Where(r => r.Method == "oslsm"), r => Assert.Equal(1.0, r.Row.GetProperty("ratioToOslsm").GetDouble(), 9));
        Assert.True(table2.GetProperty("peak").GetProperty("matmulGigaFlopsPerSecond").GetDouble() > 0);
        Assert.True(table2.GetProperty("peak").GetProperty("convolutionGigaFlopsPerSecond").GetDouble() > 0);
        Assert.All(rows, r => Assert.True(r.Row.GetProperty("multipleOfConvolutionLimit").GetDouble() > 0));
    }

    [Fact]
    public async Task Unknown_benchmarks_are_named()
    {
        var (unknown, unknownOutput) = await CliProcess.RunAsync(null, "bench", "speed");
        Assert.Equal(1, unknown);
        Assert.Contains("unknown benchmark 'speed'", unknownOutput);
    }

    [Fact]
    public async Task Quick_roofline_memory_data_dashboard_and_cluster_benchmarks_report_their_measures()
    {
        var json = Path.Combine(Path.GetTempPath(), $"segcluster-bench-{Guid.NewGuid():N}.json");
        var report = Directory.CreateTempSubdirectory("segcluster-bench-report-").FullName;
        // The dashboard and cluster benchmarks make scratch databases on the tests' server.
        var (exitCode, output) = await CliProcess.RunAsync(await TestDatabase.ServerAsync(), "bench", "roofline", "memory", "data", "dashboard", "cluster", "--quick", "--json", json,
            "--report", report);
        Assert.True(exitCode == 0, output);
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var root = result.RootElement;

        var roofline = root.GetProperty("roofline");
        var forwards = roofline.GetProperty("forwards").EnumerateArray().ToList();
        Assert.Equal([1, 5], forwards.Select(r => r.GetProperty("shots").GetInt32()));
        Assert.All(forwards, r => Assert.InRange(r.GetProperty("shareOfMatmulPeak").GetDouble(), 1e-6, 10));
        Assert.All(forwards, r => Assert.InRange(r.GetProperty("shareOfConvolutionRate").GetDouble(), 1e-6, 10));
        Assert.All(forwards, r => Assert.True(r.GetProperty("bFloat16MedianSeconds").GetDouble() > 0));
        // bf16 changes the numbers, not the answer: the masks of the same random input mostly agree.
        Assert.All(forwards, r => Assert.InRange(r.GetProperty("bFloat16MaskAgreement").GetDouble(), 0.5, 1));
        Assert.Contains(forwards[0].GetProperty("gigaFlopsByLayer").EnumerateObject(), l => l.Name.StartsWith("conditioning.features."));
        Assert.Contains(forwards[0].GetProperty("gigaFlopsByLayer").EnumerateObject(), l => l.Name.StartsWith("segmentation."));
        var scoring = roofline.GetProperty("scoring");
        Assert.InRange(scoring.GetProperty("float32MeanIou").GetDouble(), 0, 1);
        Assert.InRange(scoring.GetProperty("bFloat16MeanIou").GetDouble(), 0, 1);

        // Training leaks nothing: as many live tensors after the steps as before them.
        var memory = root.GetProperty("memory");
        Assert.Equal(memory.GetProperty("liveTensorsBefore").GetInt64(), memory.GetProperty("liveTensorsAfter").GetInt64());
        Assert.True(memory.GetProperty("trainingStepPeakMiB").GetDouble() >= memory.GetProperty("baselineMiB").GetDouble());

        Assert.True(root.GetProperty("data").GetProperty("loaderEpisodesPerSecond").GetDouble() > 0);

        var dashboard = root.GetProperty("dashboard");
        Assert.Equal(800, dashboard.GetProperty("classCountRows").GetInt64());   // 10 runs x 4 folds x 2 shots x 2 batches x 5 classes
        Assert.Equal(["runs", "table1"], dashboard.GetProperty("pages").EnumerateArray().Select(p => p.GetProperty("page").GetString()));
        Assert.All(dashboard.GetProperty("pages").EnumerateArray(), p => Assert.True(p.GetProperty("bytes").GetInt32() > 1000));

        var cluster = root.GetProperty("cluster");
        Assert.True(cluster.GetProperty("scoringOverhead").GetDouble() > 0);
        Assert.True(cluster.GetProperty("parallelEfficiency").GetDouble() > 0);
        // The silos did the scoring: they used CPU time, and the solver's own time was recorded on both sides.
        Assert.True(cluster.GetProperty("clusterCpuSeconds").GetDouble() > 0 && cluster.GetProperty("inProcessCpuSeconds").GetDouble() > 0);
        Assert.True(cluster.GetProperty("clusterEpisodeSeconds").GetDouble() > 0 && cluster.GetProperty("inProcessEpisodeSeconds").GetDouble() > 0);
        // Both training passes kept at least part of a core busy, and no more than the machine has.
        foreach (var cores in new[] { "parallelTrainingCores", "sequentialTrainingCores" })
            Assert.InRange(cluster.GetProperty(cores).GetDouble(), 0.05, Environment.ProcessorCount + 0.5);

        // The report: every benchmark's section, its figures, and the plots it links.
        var markdown = await File.ReadAllTextAsync(Path.Combine(report, "benchmarks.md"));
        foreach (var section in new[] { "## roofline", "## memory", "## data", "## dashboard", "## cluster" }) Assert.Contains(section, markdown);
        Assert.Contains(memory.GetProperty("liveTensorsAfter").GetInt64().ToString(), markdown);
        Assert.Contains("cores kept busy", markdown);
        foreach (var plot in new[] { "roofline.png", "dashboard.png" })
        {
            Assert.Contains($"]({plot})", markdown);
            Assert.True(new FileInfo(Path.Combine(report, plot)).Length > 1000, plot);
        }
    }
}
