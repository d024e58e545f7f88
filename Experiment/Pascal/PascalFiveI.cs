namespace SegCluster.Experiment;

/// <summary>
/// PASCAL-5i (paper section 5): fold i tests classes 5i+1..5i+5 (the class names under Table 1; the text's "4i+1"
/// is a misprint) and trains on the other 15.
/// </summary>
public static class PascalFiveI
{
    public const int Folds = 4;

    public static IReadOnlyList<int> TestClassesOf(int fold)
    {
        CheckFold(fold);
        return Enumerable.Range(5 * fold + 1, 5).ToList();
    }

    public static IReadOnlyList<int> TrainClassesOf(int fold)
    {
        var test = TestClassesOf(fold);
        return Enumerable.Range(1, PascalClasses.Count).Where(c => !test.Contains(c)).ToList();
    }

    public static void CheckFold(int fold)
    {
        if (fold is < 0 or >= Folds) throw new ArgumentOutOfRangeException(nameof(fold), fold, "fold must be 0..3");
    }
}
