namespace SegCluster.Experiment;

/// <summary>
/// The paper's meanIoU of a fold (section 5): per class, tp/(tp+fp+fn) over all the class's episodes; the mean over
/// the fold's five test classes, a class without episodes counting 0. Every table and list computes it here.
/// </summary>
public static class FoldMeanIou
{
    public static double Of(int fold, IReadOnlyDictionary<int, BinaryCounts> perClass) => Of(PascalFiveI.TestClassesOf(fold), perClass);

    public static double Of(IReadOnlyList<int> classes, IReadOnlyDictionary<int, BinaryCounts> perClass) =>
        classes.Count == 0 ? 0 : classes.Average(c => perClass.TryGetValue(c, out var counts) ? counts.ForegroundIou : 0);
}
