using SegCluster.Contracts;

namespace SegCluster.Experiment;

/// <summary>
/// One method a run can evaluate: the shot counts it runs for, the trained network it reads, its label, and whether
/// it is a control (a row that tests another row's premise, not a method to compare).
/// </summary>
public sealed record MethodEntry(Method Method, string Label, string? Network, bool InPaper, Func<int, bool> RunsFor, bool Control = false);

/// <summary>The methods a run can evaluate: the paper's Table 1 rows, and two trivial references every method must beat.</summary>
public static class MethodCatalog
{
    /// <summary>The co-segmentation row is a stand-in for the paper's method; tables that show it carry this note.</summary>
    public const string CosegmentationStandIn = "stand-in: 2-means with a border prior on base-network features (not Faktor & Irani 2013)";

    /// <summary>How every method's scores become a mask; precision and recall are read at this operating point.</summary>
    public const string ThresholdPolicy = "a pixel is the class where the method finds the class at least as likely as the background "
        + "(probability above 0.5, logit above 0, the nearer of two labels); OSLSM's probability threshold is --threshold (0.5, the paper's)";

    private static bool Any(int shots) => true;

    // As in the paper's tables: co-segmentation needs several images (5-shot row), fine-tuning and Siamese are 1-shot.
    // OSLSM combines k supports' masks by OR (section 4.4); the two variants average the k logit maps or the k
    // classifiers instead (identical up to rounding: the logistic layer and upsampling are linear in {w, b}). The
    // control scores OSLSM on the same queries with supports of another class: how much the conditioning matters.
    public static readonly IReadOnlyList<MethodEntry> All =
    [
        new(Method.Oslsm, "oslsm", "oslsm", true, Any),
        new(Method.NearestNeighbour, "1-nn", "base-classifier", true, Any),
        new(Method.LogisticRegression, "logreg", "base-classifier", true, Any),
        new(Method.FineTuning, "finetune", "base-classifier", true, k => k == 1),
        new(Method.Siamese, "siamese", "siamese", true, k => k == 1),
        new(Method.Cosegmentation, "co-segmentation (stand-in)", "base-classifier", true, k => k > 1),
        new(Method.AllForeground, "all-foreground", null, false, Any),
        new(Method.CopySupportMask, "copy-support-mask", null, false, Any),
        new(Method.OslsmMeanLogits, "oslsm, mean of k logit maps", "oslsm", false, k => k > 1),
        new(Method.OslsmMeanParameters, "oslsm, mean of k {w, b}", "oslsm", false, k => k > 1),
        new(Method.OslsmOtherClass, "control: oslsm, support of another class", "oslsm", false, Any, Control: true),
    ];

    /// <summary>The methods of the paper's Table 1 implemented so far (what `reproduce` runs).</summary>
    public static readonly IReadOnlyList<Method> PaperMethods = [.. All.Where(m => m.InPaper).Select(m => m.Method)];

    public static MethodEntry Entry(this Method method) => All.FirstOrDefault(m => m.Method == method)
        ?? throw new ArgumentOutOfRangeException(nameof(method), method, "not in the method catalog");

    /// <summary>Whether a method runs for k shots.</summary>
    public static bool Supports(this Method method, int shots) => method.Entry().RunsFor(shots);

    /// <summary>The trained network a method reads: "oslsm", "base-classifier", "siamese", or none (trivial references).</summary>
    public static string? NetworkOf(this Method method) => method.Entry().Network;

    /// <summary>A method's name in tables; this project's stand-ins say so.</summary>
    public static string Label(this Method method) => method.Entry().Label;

    /// <summary>The label of a method stored by name (results rows); a name this version does not know is shown as it is.</summary>
    public static string Label(string name) => Names.TryParse<Method>(name, out var method) ? method.Label() : name;
}
