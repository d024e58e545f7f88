using SegCluster.Experiment;

namespace SegCluster.Experiment.Tests;

/// <summary>The export formats of a run's tables: cells that carry the formats' special characters stay intact.</summary>
public sealed class ReportTableTests
{
    private static readonly ReportTable Table = new("Table 1: meanIoU %", ["method", "class IoU %"],
        [["oslsm", "aeroplane 50.0, bus \"x\" 1"], ["a|b", "100% & $5_#{}~^\\"]], "Ours: generated; paper: VOC.");

    [Fact]
    public void Csv_quotes_cells_with_commas_or_quotes_and_ends_rows_with_crlf()
    {
        Assert.Equal("method,class IoU %\r\noslsm,\"aeroplane 50.0, bus \"\"x\"\" 1\"\r\na|b,100% & $5_#{}~^\\\r\n", Table.ToCsv());
    }

    [Fact]
    public void Markdown_escapes_pipes_and_keeps_the_note()
    {
        var markdown = Table.ToMarkdown();
        Assert.Contains("| method | class IoU % |\n| --- | --- |\n", markdown);
        Assert.Contains("| a\\|b | 100% & $5_#{}~^\\\\ |", markdown);
        Assert.EndsWith("Ours: generated; paper: VOC.\n", markdown);
    }

    [Fact]
    public void Latex_escapes_every_special_character()
    {
        var latex = Table.ToLatex();
        Assert.Contains("\\begin{tabular}{ll}", latex);
        Assert.Contains("a|b & 100\\% \\& \\$5\\_\\#\\{\\}\\textasciitilde{}\\textasciicircum{}\\textbackslash{} \\\\", latex);
        Assert.Contains("\\caption{Table 1: meanIoU \\%. Ours: generated; paper: VOC.}", latex);
    }
}
