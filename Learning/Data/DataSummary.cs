using SegCluster.Experiment;
namespace SegCluster.Learning.Data;

/// <summary>What `segcluster data summary` reports: per fold split sizes and per-class counts, and every image read.</summary>
public sealed record DataSummary(IReadOnlyList<DataSummary.FoldSummary> Folds, IReadOnlyList<DataSummary.ImageSummary> Images, IReadOnlyList<string> BadFiles)
{
    public sealed record ClassCount(int ClassId, string Name, int TrainImages, long TrainPixels, int TestImages, long TestPixels);
    public sealed record FoldSummary(int Fold, IReadOnlyList<string> TestClasses, int TrainImages, int TestImages, IReadOnlyList<ClassCount> Classes);
    public sealed record ImageSummary(string Id, string Split, int Width, int Height, IReadOnlyList<string> Classes);

    public static DataSummary Build(DataCatalog catalog)
    {
        var folds = Enumerable.Range(0, PascalFiveI.Folds).Select(f =>
        {
            var split = FoldSplit.Build(catalog, f);
            var classes = Enumerable.Range(1, PascalClasses.Count).Select(c => new ClassCount(c, PascalClasses.Name(c),
                split.Train.Count(i => i.Classes.Contains(c)), split.Train.Sum(i => i.Classes.Contains(c) ? i.PixelCounts[c] : 0),
                split.Test.Count(i => i.Classes.Contains(c)), split.Test.Sum(i => i.Classes.Contains(c) ? i.PixelCounts[c] : 0))).ToList();
            return new FoldSummary(f, split.TestClasses.Select(PascalClasses.Name).ToList(), split.Train.Count, split.Test.Count, classes);
        }).ToList();
        var images = catalog.TrainPool.Select(i => Describe(i, "train")).Concat(catalog.ValPool.Select(i => Describe(i, "val"))).ToList();
        return new DataSummary(folds, images, catalog.BadFiles);
    }

    private static ImageSummary Describe(AnnotatedImage image, string split) =>
        new(image.Id, split, image.Width, image.Height, image.Classes.Select(PascalClasses.Name).ToList());
}
