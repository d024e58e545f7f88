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
        Assert.Equal(16, catalog.TrainPool.Count + catalog.ValPool.Count);   // 9 VOC images, 7 more in SBD
        Assert.Equal(6, catalog.ValPool.Count);

        var fold0 = FoldSplit.Build(catalog, 0);
        // VOC val images with aeroplane..bottle: a bicycle, and a bottle beside a person.
        Assert.Equal(["2007_006449", "2010_005582"], fold0.Test.Select(i => i.Id).Order());
        Assert.Equal([5], fold0.Test.Single(i => i.Id == "2010_005582").Classes);   // bottle; person is a training class
        // SBD's images count for D_train, VOC train's once (2011_000003 is in both).
        Assert.Single(catalog.TrainPool, i => i.Id == "2011_000003");
        Assert.Contains(fold0.Train, i => i.Id == "2008_002176");   // SBD only: person
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
    public void The_authors_grid_counts_the_points_32_i_plus_1_that_fall_on_a_class()
    {
        // 70 x 40: class 5 fills x, y < 40 (grid points x 1, 33 and y 1, 33); class 7 is the one pixel (65, 1), a grid
        // point; class 9 is the pixel (64, 1), between points.
        var labels = new byte[70 * 40];
        for (var y = 0; y < 40; y++)
            for (var x = 0; x < 40; x++) labels[y * 70 + x] = 5;
        labels[1 * 70 + 65] = 7;
        labels[1 * 70 + 64] = 9;
        var counts = new SegmentationMask(70, 40, labels).GridCounts(32);
        Assert.Equal((4L, 1L, 0L), (counts[5], counts[7], counts[9]));
    }

    [Fact]
    public void The_small_object_filter_drops_training_objects_of_at_most_two_grid_points_and_leaves_the_test_set()
    {
        var catalog = DataCatalog.Scan(Fixtures.VocSample);
        foreach (var fold in Enumerable.Range(0, PascalFiveI.Folds))
        {
            var all = FoldSplit.Build(catalog, fold);
            var filtered = FoldSplit.Build(catalog, fold, new SplitOptions(DropSmallObjects: true));
            Assert.Equal(all.Test.Select(i => (i.Id, string.Join(",", i.Classes))), filtered.Test.Select(i => (i.Id, string.Join(",", i.Classes))));
            var kept = filtered.Train.SelectMany(i => i.Classes.Select(c => (i.Id, c))).ToHashSet();
            foreach (var image in all.Train)
                foreach (var c in image.Classes)
                    Assert.Equal(image.GridCounts[c] > SplitOptions.SmallObjectGridPoints, kept.Contains((image.Id, c)));
        }
        Assert.Contains(catalog.TrainPool, i => i.Classes.Any(c => i.GridCounts[c] <= SplitOptions.SmallObjectGridPoints));   // the filter bites here
    }

    [Fact]
    public void A_class_without_enough_images_is_refused_naming_fold_class_and_split()
    {
        // The real sample's fold 0 test set has no aeroplane; fold 2's has dog in three images, person in two, no horse.
        var catalog = DataCatalog.Scan(Fixtures.VocSample);
        var error = Assert.Throws<ArgumentException>(() => FoldSplit.Build(catalog, 0).CheckClassCoverage(1));
        Assert.Equal("fold 0: class aeroplane is in 0 image(s) of D_test (VOC val); 1-shot test episodes need at least 2", error.Message);
        var fold2 = FoldSplit.Build(catalog, 2);
        Assert.Equal((3, 2), (fold2.Test.Count(i => i.Classes.Contains(12)), fold2.Test.Count(i => i.Classes.Contains(15))));

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
