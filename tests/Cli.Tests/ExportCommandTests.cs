using SegCluster.Experiment;
using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Cli.Tests;

/// <summary>`segcluster export`: a stored run's tables and plots as files, the ones the dashboard serves.</summary>
public sealed class ExportCommandTests
{
    [Fact]
    public async Task A_stored_run_is_written_as_its_tables_and_plots()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await SyntheticRuns.SeedAsync(database.ConnectionString, runs: 1, episodesPerFold: 40, batchSize: 10, default);
        var output = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}");

        var (exitCode, text) = await CliProcess.RunAsync(database.ConnectionString, "export", "--run", "bench-0001", "--out", output);
        Assert.True(exitCode == 0, text);
        var report = await RunReport.LoadAsync(new ResultsStore(database.ConnectionString), "bench-0001");
        // Every table with rows in three formats, every plot in two; the 1- and 5-shot run has the shots curve.
        var tables = ReportTable.Names.Where(n => ReportTable.Named(n, report, "", "")!.Rows.Count > 0).ToList();
        var expected = tables.SelectMany(n => new[] { $"{n}.csv", $"{n}.md", $"{n}.tex" })
            .Concat(ReportPlots.Names(report).SelectMany(n => new[] { $"{n}.png", $"{n}.svg" })).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Directory.GetFiles(output).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        Assert.Contains("shots", ReportPlots.Names(report));
        // A CSV holds the rows alone (the note, which names the data, is in the Markdown and LaTeX).
        Assert.Equal(ReportTable.Table1(report, "").ToCsv(), await File.ReadAllTextAsync(Path.Combine(output, "table1.csv")));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, (await File.ReadAllBytesAsync(Path.Combine(output, "heatmap-5shot.png")))[..4]);
        Assert.Contains("<svg", await File.ReadAllTextAsync(Path.Combine(output, "shots.svg")));

        var (both, message) = await CliProcess.RunAsync(database.ConnectionString, "export", "--run", "bench-0001", "--group", "g", "--out", output);
        Assert.Equal((1, true), (both, message.Contains("--run or --group: give one of them")));
        var (missing, which) = await CliProcess.RunAsync(database.ConnectionString, "export", "--group", "nobody", "--out", output);
        Assert.Equal((1, true), (missing, which.Contains("--group: no runs in group 'nobody'")));
    }
}
