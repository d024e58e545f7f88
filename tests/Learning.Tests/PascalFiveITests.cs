using SegCluster.Learning.Data;
using SegCluster.Experiment;

namespace SegCluster.Learning.Tests;

public sealed class PascalFiveITests
{
    [Fact]
    public void Fold_classes_follow_table_1()
    {
        Assert.Equal(["aeroplane", "bicycle", "bird", "boat", "bottle"], PascalFiveI.TestClassesOf(0).Select(PascalClasses.Name));
        Assert.Equal(["pottedplant", "sheep", "sofa", "train", "tvmonitor"], PascalFiveI.TestClassesOf(3).Select(PascalClasses.Name));
        Assert.Equal(15, PascalFiveI.TrainClassesOf(2).Count);
        Assert.Empty(PascalFiveI.TrainClassesOf(1).Intersect(PascalFiveI.TestClassesOf(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PascalFiveI.TestClassesOf(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => PascalFiveI.TestClassesOf(-1));
    }

    [Fact]
    public void Folds_of_the_real_sample_have_the_known_members()
    {
        var catalog = DataCatalog.Scan(Fixtures.VocSample);
        Assert.Equal(20, catalog.TrainPool.Count + catalog.ValPool.Count);
        Assert.Equal(13, catalog.ValPool.Count);

        var fold0 = FoldSplit.Build(catalog, 0);
        // VOC val images with aeroplane..bottle: boat, bottle+person, bottle+table+person, aeroplane.
        Assert.Equal(["2007_000061", "2007_000346", "2007_000762", "2007_001377"], fold0.Test.Select(i => i.Id).Order());
        Assert.Equal([5], fold0.Test.Single(i => i.Id == "2007_000762").Classes);   // bottle; table and person are training classes
        // No D_train image is a VOC val image, and each lists training classes only.
        Assert.Empty(fold0.Train.Select(i => i.Id).Intersect(catalog.ValPool.Select(i => i.Id)));
        Assert.All(fold0.Train, i => Assert.All(i.Classes, c => Assert.Contains(c, fold0.TrainClasses)));
    }

    [Fact]
    public void Minimum_pixel_filter_drops_small_objects()
    {
        var catalog = DataCatalog.Scan(Fixtures.VocSample);
        var all = FoldSplit.Build(catalog, 3);
        var filtered = FoldSplit.Build(catalog, 3, new SplitOptions(MinClassPixels: 1_000_000));
        Assert.NotEmpty(all.Test);
        Assert.Empty(filtered.Test);
    }

    [Fact]
    public void A_class_without_enough_images_is_refused_naming_fold_class_and_split()
    {
        // The real sample's fold 0 test set has one aeroplane image (a query but no support) and no bicycle at all.
        var split = FoldSplit.Build(DataCatalog.Scan(Fixtures.VocSample), 0);
        var error = Assert.Throws<ArgumentException>(() => split.CheckClassCoverage(1));
        Assert.Equal("fold 0: class aeroplane is in 1 image(s) of D_test (VOC val); 1-shot test episodes need at least 2", error.Message);

        // A generated set covers every class; five shots need six images of each test class.
        var data = SyntheticPascal.Generate(Path.Combine(Path.GetTempPath(), "segcluster-coverage-" + Guid.NewGuid().ToString("N")),
            new SyntheticPascal.Options(Images: 400, Size: 32, Seed: 3));
        var generated = FoldSplit.Build(DataCatalog.Scan(data.Sources), 1);
        generated.CheckClassCoverage(1);
        var fewest = generated.TestClasses.Min(c => generated.Test.Count(i => i.Classes.Contains(c)));
        var tooMany = Assert.Throws<ArgumentException>(() => generated.CheckClassCoverage(fewest));
        Assert.Contains($"need at least {fewest + 1}", tooMany.Message);
    }
}
