using System.Text.Json;
using SegCluster.Experiment;
using SegCluster.Storage;

namespace SegCluster.Dashboard;

/// <summary>How the dashboard names whose numbers a table holds (never the paper's: those are labelled separately), and its tables by name.</summary>
public static class RunLabels
{
    public const string Machine = "this run's silos";

    public static string Data(RunRecord run)
    {
        using var config = JsonDocument.Parse(run.ConfigJson);
        var voc = config.RootElement.TryGetProperty("Voc", out var v) ? v.GetString() : null;
        var preset = config.RootElement.TryGetProperty("Preset", out var p) ? p.GetString() : null;
        return $"data set {voc}, preset {preset}";
    }

    /// <summary>The tables a run's page links and exports, by the name in their address.</summary>
    public static readonly IReadOnlyList<string> TableNames = ["table1", "table1-figures", "table1-long", "table2", "classes", "gains", "seen"];

    public static ReportTable? Table(string name, RunReport report, RunRecord run) => name switch
    {
        "table1" => ReportTable.Table1(report, Data(run)),
        "table1-figures" => ReportTable.Table1Figures(report, Data(run)),
        "table1-long" => ReportTable.Table1Long(report, Data(run)),
        "table2" => ReportTable.Table2(report, Machine),
        "classes" => ReportTable.Classes(report, Data(run)),
        "gains" => ReportTable.ShotGains(report, Data(run)),
        "seen" => ReportTable.SeenClasses(report, Data(run)),
        _ => null,
    };
}
