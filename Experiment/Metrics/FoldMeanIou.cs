namespace SegCluster.Experiment;

/// <summary>
/// The paper's meanIoU of a fold (section 5): per class, tp/(tp+fp+fn) over all the class's episodes; the mean over
/// the fold's five test classes, a class without episodes counting 0. Every table and list computes it here.
/// </summary>
public static class FoldMeanIou
{
    public static double Of(int fold, IReadOnlyDictionary<int, BinaryCounts> perClass) => Of(PascalFiveI.TestClassesOf(fold), perClass);

    public static double Of(IReadOnlyList<int> classes, IReadOnlyDictionary<int, BinaryCounts> perClass) =>
        MeanOver(classes, perClass, c => c.ForegroundIou);

    /// <summary>Another per-class figure (precision, recall) averaged over the fold's test classes the same way.</summary>
    public static double MeanOver(IReadOnlyList<int> classes, IReadOnlyDictionary<int, BinaryCounts> perClass, Func<BinaryCounts, double> figure) =>
        classes.Count == 0 ? 0 : classes.Average(c => perClass.TryGetValue(c, out var counts) ? figure(counts) : 0);
}
