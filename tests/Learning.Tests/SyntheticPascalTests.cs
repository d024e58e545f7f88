using SegCluster.Learning.Data;
using SegCluster.Experiment;

namespace SegCluster.Learning.Tests;

public sealed class SyntheticPascalTests
{
    [Fact]
    public void Generated_set_is_deterministic_and_readable_in_the_real_layouts()
    {
        var a = SyntheticPascal.Generate(Fixtures.TempDirectory(), new SyntheticPascal.Options(Images: 80, Size: 48, Seed: 3));
        var b = SyntheticPascal.Generate(Fixtures.TempDirectory(), new SyntheticPascal.Options(Images: 80, Size: 48, Seed: 3));
        foreach (var file in new[] { "SegmentationClass/gen_000001.png", "JPEGImages/gen_000002.jpg" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.Voc, file)), File.ReadAllBytes(Path.Combine(b.Voc, file)));

        var catalog = DataCatalog.Scan(a.Sources);
        Assert.Equal(80, catalog.TrainPool.Count + catalog.ValPool.Count);
        Assert.Equal(24, catalog.ValPool.Count);
        Assert.True(catalog.TrainPool.Select(i => i.Record.Format).Distinct().Count() == 2);   // VOC PNG and SBD .mat
        Assert.Equal(20, catalog.TrainPool.Concat(catalog.ValPool).SelectMany(i => i.Classes).Distinct().Count());
    }

    [Fact]
    public void Objects_carry_their_class_colour_and_void_borders()
    {
        var (image, mask) = SyntheticPascal.Render(64, new SeededRandom(12));
        using (image)
        {
            Assert.NotEmpty(mask.ClassesPresent());
            Assert.Contains(PascalClasses.Void, mask.Labels);
            Assert.Contains(PascalClasses.Background, mask.Labels);
        }
    }
}
