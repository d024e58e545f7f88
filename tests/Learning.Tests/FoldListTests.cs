using SegCluster.Learning.Data;
using SegCluster.Experiment;

namespace SegCluster.Learning.Tests;

public sealed class FoldListTests
{
    [Fact]
    public void Both_list_formats_restrict_the_test_split()
    {
        var split = FoldSplit.Build(DataCatalog.Scan(Fixtures.VocSample), 0);
        var path = Path.Combine(Fixtures.TempDirectory(), "fold0.txt");
        File.WriteAllLines(path, ["2007_000346 5", "2007_001377__01", ""]);

        var restricted = FoldList.RestrictTest(split, FoldList.Load(path), path);

        Assert.Equal(["2007_000346", "2007_001377"], restricted.Test.Select(i => i.Id).Order());
        Assert.Equal([5], restricted.Test.Single(i => i.Id == "2007_000346").Classes);
        Assert.Equal(split.Train.Count, restricted.Train.Count);
    }

    [Fact]
    public void Pairs_outside_the_fold_and_malformed_lines_are_named()
    {
        var split = FoldSplit.Build(DataCatalog.Scan(Fixtures.VocSample), 0);
        var path = Path.Combine(Fixtures.TempDirectory(), "fold0.txt");
        File.WriteAllLines(path, ["2007_000123 19"]);   // a train image of fold 3, not fold 0
        Assert.Contains("2007_000123 19", Assert.Throws<DataFileException>(() => FoldList.RestrictTest(split, FoldList.Load(path), path)).Reason);
        File.WriteAllLines(path, ["2007_000346"]);
        Assert.Contains("line 1", Assert.Throws<DataFileException>(() => FoldList.Load(path)).Reason);
    }

    [Fact]
    public void SegmentationClassAug_masks_read_and_VOC_masks_take_precedence()
    {
        // An Aug folder made from the real VOC masks: gray PNGs whose values are the labels.
        var aug = Fixtures.TempDirectory();
        foreach (var id in new[] { "2007_000032", "2007_000061" })
        {
            var mask = Fixtures.VocSample.VocRecord(id).ReadMask();
            using var gray = SixLabors.ImageSharp.Image.LoadPixelData<SixLabors.ImageSharp.PixelFormats.L8>(mask.Labels, mask.Width, mask.Height);
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(gray, Path.Combine(aug, id + ".png"));
        }
        var sources = Fixtures.VocSample with { Sbd = null, Aug = aug };
        var catalog = DataCatalog.Scan(sources);
        // 2007_000061 is a VOC val image: never in D_train, whatever the Aug folder holds.
        Assert.DoesNotContain(catalog.TrainPool, i => i.Id == "2007_000061");
        Assert.Equal(MaskFormat.PalettePng, catalog.TrainPool.Single(i => i.Id == "2007_000032").Record.Format);   // VOC's own mask wins
        Assert.Equal(MaskFormat.GrayPng, sources.AugRecord("2007_000032").Format);
        Assert.Equal([1, 15], sources.AugRecord("2007_000032").ReadMask().ClassesPresent());
    }
}
