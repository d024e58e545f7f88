using System.Text.Json;
using SegCluster.Storage;

namespace SegCluster.Dashboard;

/// <summary>How the dashboard names whose numbers a table holds (never the paper's: those are labelled separately).</summary>
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
}
