using System.Text.RegularExpressions;
using SegCluster.Cli.Commands;
using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Storage;
using Spectre.Console;

namespace SegCluster.Cli.Tests;

/// <summary>The tables as the terminal shows them.</summary>
public sealed class ReportPrinterTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void The_compact_table_1_fits_in_120_columns_with_every_cell_whole(int draws)
    {
        // Every method at every shot count it runs for, on all four folds; with several draws of test episodes each cell also holds mean ± std.
        var spread = new SeedSpread(draws, 0.1234, draws > 1 ? 0.0123 : 0);
        var scores = MethodCatalog.All.SelectMany(m => new[] { 1, 5 }.Where(m.RunsFor).SelectMany(k => Enumerable.Range(0, 4).Select(f =>
            new FoldScore(f, m.Method, k, 1000, new Dictionary<int, double>(), 0.123 + f / 100.0, 0.5, 0.111, 0.135,
                new Dictionary<int, double>(), new Dictionary<int, double>(), 0.4, 0.6, spread)))).ToList();
        var means = scores.GroupBy(s => (s.Method, s.Shots)).Select(g => new MethodMean(g.Key.Method, g.Key.Shots, 4, 0.138, 0.13, 0.146, 0.4, 0.6, spread)).ToList();
        var report = new RunReport("r", [], scores, means, [], [], [], [], []);
        var table = ReportTable.Table1(report, "generated");

        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 120;
        ReportPrinter.Write(console, table);
        var lines = text.ToString().Split('\n');

        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 120, $"{l.TrimEnd().Length} columns: {l}"));
        // Four folds and the mean per method row, none broken across lines; with draws, a "pooled" row of intervals under each.
        Assert.Equal(means.Count * 5, Regex.Matches(text.ToString(), @"\d+\.\d \(\d+\.\d-\d+\.\d\)").Count);
        Assert.Equal(draws > 1 ? means.Count * 5 : 0, Regex.Matches(text.ToString(), @"12\.3±1\.2").Count);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("paper ", StringComparison.Ordinal) && l.Contains("33.6") && l.Contains("40.8"));   // OSLSM 1-shot
    }
}
