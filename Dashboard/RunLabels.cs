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

    /// <summary>The address segment of a run's (or a group's) exports and plots.</summary>
    public static string Source(string id, bool group = false) => (group ? "groups/" : "") + Uri.EscapeDataString(id);

    public static ReportTable? Table(string name, RunReport report, RunRecord run) => ReportTable.Named(name, report, Data(run), Machine);

    /// <summary>A run's report and data label, or a group's (its runs pooled; its first run's data label); null when there is none.</summary>
    public static async Task<(RunReport Report, string Data)?> LoadAsync(ResultsStore store, string id, bool group, CancellationToken cancel) =>
        await RunReport.LoadRunOrGroupAsync(store, id, group, cancel) is var (report, run) ? (report, Data(run)) : null;
}
