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
        File.WriteAllLines(path, ["2010_005582 5", "2007_006449__02", ""]);

        var restricted = FoldList.RestrictTest(split, FoldList.Load(path), path);

        Assert.Equal(["2007_006449", "2010_005582"], restricted.Test.Select(i => i.Id).Order());
        Assert.Equal([5], restricted.Test.Single(i => i.Id == "2010_005582").Classes);
        File.WriteAllLines(path, ["2010_005582 5"]);
        Assert.Equal(["2010_005582"], FoldList.RestrictTest(split, FoldList.Load(path), path).Test.Select(i => i.Id));
        Assert.Equal(split.Train.Count, restricted.Train.Count);
    }

    [Fact]
    public void Pairs_outside_the_fold_and_malformed_lines_are_named()
    {
        var split = FoldSplit.Build(DataCatalog.Scan(Fixtures.VocSample), 0);
        var path = Path.Combine(Fixtures.TempDirectory(), "fold0.txt");
        File.WriteAllLines(path, ["2011_000006 18"]);   // a VOC train image (sofa: a class of fold 3), not fold 0's
        Assert.Contains("2011_000006 18", Assert.Throws<DataFileException>(() => FoldList.RestrictTest(split, FoldList.Load(path), path)).Reason);
        File.WriteAllLines(path, ["2010_005582"]);
        Assert.Contains("line 1", Assert.Throws<DataFileException>(() => FoldList.Load(path)).Reason);
    }

    [Fact]
    public void SegmentationClassAug_masks_read_and_VOC_masks_take_precedence()
    {
        // The sample's SegmentationClassAug folder (its 16 masks as indexed PNGs) in place of SBD's .mat files, with a
        // JPEGImages folder that holds SBD's photos too, as VOC 2012's full JPEGImages does.
        var voc = Path.Combine(Fixtures.TempDirectory(), "VOCdevkit");
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures.Root, "voc-sample", "VOCdevkit"), "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(voc, Path.GetRelativePath(Path.Combine(Fixtures.Root, "voc-sample", "VOCdevkit"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        foreach (var photo in Directory.GetFiles(Path.Combine(Fixtures.Root, "voc-sample", "benchmark_RELEASE", "dataset", "img")))
            File.Copy(photo, Path.Combine(voc, "VOC2012", "JPEGImages", Path.GetFileName(photo)), overwrite: true);
        var sources = new DataSources(voc, Aug: Path.Combine(Fixtures.Root, "voc-sample", "SegmentationClassAug"));
        var catalog = DataCatalog.Scan(sources);
        // 2007_004189 is a VOC val image: never in D_train, whatever the Aug folder holds.
        Assert.DoesNotContain(catalog.TrainPool, i => i.Id == "2007_004189");
        Assert.Equal(MaskFormat.PalettePng, catalog.TrainPool.Single(i => i.Id == "2011_000003").Record.Format);   // VOC's own mask wins
        Assert.Equal(MaskFormat.GrayPng, sources.AugRecord("2011_000003").Format);
        Assert.Equal([5, 15], sources.AugRecord("2011_000003").ReadMask().ClassesPresent());
        // Every Aug mask labels its image as VOC's or SBD's own ground truth does.
        foreach (var id in new[] { "2007_001763", "2011_000006" })
            Assert.Equal(sources.VocRecord(id).ReadMask().Labels, sources.AugRecord(id).ReadMask().Labels);
    }
}
