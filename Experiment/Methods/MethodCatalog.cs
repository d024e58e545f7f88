namespace SegCluster.Experiment;

/// <summary>One method a run can evaluate: its name, the shot counts it runs for, the trained network it reads, its label.</summary>
public sealed record Method(string Name, string Label, string? Network, bool InPaper, Func<int, bool> RunsFor);

/// <summary>The methods a run can evaluate: the paper's Table 1 rows, and two trivial references every method must beat.</summary>
public static class MethodCatalog
{
    public const string Oslsm = "oslsm";

    /// <summary>The co-segmentation row is a stand-in for the paper's method; tables that show it carry this note.</summary>
    public const string CosegmentationStandIn = "stand-in: 2-means with a border prior on base-network features (not Faktor & Irani 2013)";

    private static bool Any(int shots) => true;

    // As in the paper's tables: co-segmentation needs several images (5-shot row), fine-tuning and Siamese are 1-shot.
    public static readonly IReadOnlyList<Method> All =
    [
        new("oslsm", "oslsm", "oslsm", true, Any),
        new("1-nn", "1-nn", "base-classifier", true, Any),
        new("logreg", "logreg", "base-classifier", true, Any),
        new("finetune", "finetune", "base-classifier", true, k => k == 1),
        new("siamese", "siamese", "siamese", true, k => k == 1),
        new("co-segmentation", "co-segmentation (stand-in)", "base-classifier", true, k => k > 1),
        new("all-foreground", "all-foreground", null, false, Any),
        new("copy-support-mask", "copy-support-mask", null, false, Any),
    ];

    /// <summary>Every method's name.</summary>
    public static readonly IReadOnlyList<string> Names = [.. All.Select(m => m.Name)];

    /// <summary>The methods of the paper's Table 1 implemented so far (what `reproduce` runs).</summary>
    public static readonly IReadOnlyList<string> PaperMethods = [.. All.Where(m => m.InPaper).Select(m => m.Name)];

    public static Method Named(string name) => All.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"unknown method '{name}'; known methods are {string.Join(", ", Names)}", nameof(name));

    public static bool IsKnown(string name) => All.Any(m => m.Name == name);

    /// <summary>Whether a method runs for k shots.</summary>
    public static bool Supports(string method, int shots) => Named(method).RunsFor(shots);

    /// <summary>The trained network a method reads: "oslsm", "base-classifier", "siamese", or none (trivial references).</summary>
    public static string? NetworkOf(string method) => Named(method).Network;

    /// <summary>A method's name in tables; this project's stand-ins say so.</summary>
    public static string Label(string method) => All.FirstOrDefault(m => m.Name == method)?.Label ?? method;
}
