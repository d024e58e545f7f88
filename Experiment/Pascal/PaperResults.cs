using SegCluster.Contracts;

namespace SegCluster.Experiment;

/// <summary>
/// The paper's published numbers (Shaban et al., BMVC 2017): Table 1 meanIoU (%) per PASCAL-5i fold and Table 2
/// inference seconds per episode, on PASCAL VOC with ImageNet VGG-16 on a Titan X. Shown beside SegCluster's
/// numbers, always labelled, never mistaken for them.
/// </summary>
public static class PaperResults
{
    public const string Label = "paper (VOC + VGG-16, Titan X)";

    /// <summary>Per method and shots: meanIoU of folds 0..3 and their mean.</summary>
    public static readonly IReadOnlyDictionary<(Method Method, int Shots), double[]> Table1 = new Dictionary<(Method, int), double[]>
    {
        [(Method.NearestNeighbour, 1)] = [25.3, 44.9, 41.7, 18.4, 32.6],
        [(Method.LogisticRegression, 1)] = [26.9, 42.9, 37.1, 18.4, 31.4],
        [(Method.FineTuning, 1)] = [24.9, 38.8, 36.5, 30.1, 32.6],
        [(Method.Siamese, 1)] = [28.1, 39.9, 31.8, 25.8, 31.4],
        [(Method.Oslsm, 1)] = [33.6, 55.3, 40.9, 33.5, 40.8],
        [(Method.Cosegmentation, 5)] = [25.1, 28.9, 27.7, 26.3, 27.1],
        [(Method.NearestNeighbour, 5)] = [34.5, 53.0, 46.9, 25.6, 40.0],
        [(Method.LogisticRegression, 5)] = [35.9, 51.6, 44.5, 25.6, 39.3],
        [(Method.Oslsm, 5)] = [35.9, 58.1, 42.7, 39.1, 43.9],
    };

    /// <summary>Table 2: seconds per episode.</summary>
    public static readonly IReadOnlyDictionary<(Method Method, int Shots), double> Table2 = new Dictionary<(Method, int), double>
    {
        [(Method.NearestNeighbour, 1)] = 1.10, [(Method.NearestNeighbour, 5)] = 4.55,
        [(Method.LogisticRegression, 1)] = 0.66, [(Method.LogisticRegression, 5)] = 3.50,
        [(Method.FineTuning, 1)] = 5.56,
        [(Method.Siamese, 1)] = 5.65,
        [(Method.Oslsm, 1)] = 0.19, [(Method.Oslsm, 5)] = 0.21,
    };

    public static double? MeanIou(Method method, int shots, int? fold) =>
        Table1.TryGetValue((method, shots), out var row) ? row[fold ?? 4] : null;
}
