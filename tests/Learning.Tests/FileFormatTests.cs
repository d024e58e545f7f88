using SegCluster.Learning.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SegCluster.Experiment;

namespace SegCluster.Learning.Tests;

public sealed class FileFormatTests
{
    [Theory]
    [InlineData("palette.png")]   // PIL, mode P with the VOC palette
    [InlineData("gray.png")]      // PIL, mode L (SegmentationClassAug style)
    public void Png_masks_written_by_PIL_read_as_their_labels(string file)
    {
        var mask = ImageFiles.ReadPngMask(Fixtures.Format(file));
        Assert.Equal(Fixtures.ExpectedLabels(), mask with { }, MaskComparer.Instance);
    }

    [Theory]
    [InlineData("sbd.mat")]               // scipy, zlib-compressed, with a cell field before Segmentation
    [InlineData("sbd_uncompressed.mat")]
    public void Mat_files_written_by_scipy_read_as_their_labels(string file)
    {
        var mask = MatFile.ReadSbdSegmentation(Fixtures.Format(file));
        Assert.Equal(Fixtures.ExpectedLabels(), mask, MaskComparer.Instance);
    }

    [Fact]
    public void Our_mat_and_palette_writers_round_trip()
    {
        var dir = Fixtures.TempDirectory();
        var expected = Fixtures.ExpectedLabels();
        PaletteMaskWriter.Write(Path.Combine(dir, "m.png"), expected);
        MatFile.WriteSbdSegmentation(Path.Combine(dir, "m.mat"), expected);
        Assert.Equal(expected, ImageFiles.ReadPngMask(Path.Combine(dir, "m.png")), MaskComparer.Instance);
        Assert.Equal(expected, MatFile.ReadSbdSegmentation(Path.Combine(dir, "m.mat")), MaskComparer.Instance);
    }

    [Fact]
    public void Real_voc_and_sbd_files_read()
    {
        var voc = Fixtures.VocSample.VocRecord("2011_000003").ReadMask();
        Assert.Equal((500, 338), (voc.Width, voc.Height));
        Assert.Equal([5, 15], voc.ClassesPresent());          // bottle, person
        Assert.Contains(PascalClasses.Void, voc.Labels);
        var sbd = Fixtures.VocSample.SbdRecord("2011_000003").ReadMask();
        Assert.Equal([5, 15], sbd.ClassesPresent());
        Assert.DoesNotContain(PascalClasses.Void, sbd.Labels);
        // The same photo's ground truth in both: every pixel VOC labels (not void) SBD labels alike.
        Assert.All(voc.Labels.Zip(sbd.Labels).Where(p => p.First != PascalClasses.Void), p => Assert.Equal(p.First, p.Second));
    }

    [Fact]
    public void Truncated_mat_names_the_file()
    {
        var path = Path.Combine(Fixtures.TempDirectory(), "cut.mat");
        var bytes = File.ReadAllBytes(Fixtures.Format("sbd.mat"));
        File.WriteAllBytes(path, bytes[..(bytes.Length - 40)]);
        var error = Assert.Throws<DataFileException>(() => MatFile.ReadSbdSegmentation(path));
        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public void Mat_without_gtcls_is_refused()
    {
        var error = Assert.Throws<DataFileException>(() => MatFile.ReadStructField(Fixtures.Format("sbd.mat"), "GTinst", "Segmentation"));
        Assert.Contains("GTinst", error.Reason);
    }

    [Fact]
    public void Corrupt_png_names_the_file()
    {
        var path = Path.Combine(Fixtures.TempDirectory(), "bad.png");
        var bytes = File.ReadAllBytes(Fixtures.Format("palette.png"));
        File.WriteAllBytes(path, bytes[..60]);
        var error = Assert.Throws<DataFileException>(() => ImageFiles.ReadPngMask(path));
        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public void Label_values_outside_the_classes_are_refused()
    {
        var path = Path.Combine(Fixtures.TempDirectory(), "odd.png");
        using (var image = new Image<L8>(4, 4)) { image[1, 2] = new L8(37); image.SaveAsPng(path); }
        var error = Assert.Throws<DataFileException>(() => ImageFiles.ReadPngMask(path));
        Assert.Contains("37", error.Reason);
    }

    [Fact]
    public void Mask_and_image_of_different_sizes_are_refused()
    {
        var dir = Fixtures.TempDirectory();
        using (var image = new Image<Rgb24>(8, 5)) image.SaveAsJpeg(Path.Combine(dir, "a.jpg"));
        File.Copy(Fixtures.Format("gray.png"), Path.Combine(dir, "a.png"));
        var error = Assert.Throws<DataFileException>(() => DataCatalog.Annotate(new ImageRecord("a", Path.Combine(dir, "a.jpg"), Path.Combine(dir, "a.png"), MaskFormat.GrayPng)));
        Assert.Contains("7x5", error.Reason);
    }

    [Fact]
    public void Missing_folder_and_empty_list_are_named()
    {
        Assert.Equal("/no/such/VOCdevkit", Assert.Throws<DataFileException>(() => new DataSources("/no/such/VOCdevkit").VocList("val")).FilePath);
        var list = Path.Combine(Fixtures.TempDirectory(), "val.txt");
        File.WriteAllText(list, "\n");
        Assert.Contains("empty", Assert.Throws<DataFileException>(() => DataSources.ReadList(list)).Reason);
    }

    [Fact]
    public void Images_are_decoded_and_resized_on_the_calling_thread()
    {
        using var image = ImageFiles.ReadRgb(Fixtures.VocSample.VocRecord("2011_000003").ImagePath);
        // The image keeps its decoder's configuration, which the resize to network inputs then uses.
        Assert.Equal(1, SixLabors.ImageSharp.Advanced.AdvancedImageExtensions.GetConfiguration(image).MaxDegreeOfParallelism);
        Assert.Equal(3 * 32 * 32, EpisodeTensors.ImageArray(image, 32).Length);
    }

    [Fact]
    public void Truncated_jpeg_names_the_file()
    {
        var path = Path.Combine(Fixtures.TempDirectory(), "cut.jpg");
        var bytes = File.ReadAllBytes(Fixtures.VocSample.VocRecord("2011_000003").ImagePath);
        File.WriteAllBytes(path, bytes[..200]);
        Assert.Equal(path, Assert.Throws<DataFileException>(() => { using var _ = ImageFiles.ReadRgb(path); }).FilePath);
    }

    [Fact]
    public void A_listed_id_without_files_fails_or_is_skipped_and_reported()
    {
        // A copy of the sample whose train list names an image that does not exist.
        var root = Fixtures.TempDirectory();
        CopyDirectory(Path.Combine(Fixtures.Root, "voc-sample", "VOCdevkit"), Path.Combine(root, "VOCdevkit"));
        var list = Path.Combine(root, "VOCdevkit", "VOC2012", "ImageSets", "Segmentation", "train.txt");
        File.AppendAllLines(list, ["2099_000001"]);
        var sources = new DataSources(Path.Combine(root, "VOCdevkit"));

        var error = Assert.Throws<DataFileException>(() => DataCatalog.Scan(sources));
        Assert.EndsWith("2099_000001.jpg", error.FilePath);
        Assert.Contains("not found", error.Reason);

        var skipping = DataCatalog.Scan(sources, skipBad: true);
        Assert.Contains("2099_000001", Assert.Single(skipping.BadFiles));
        Assert.Equal(9, skipping.TrainPool.Count + skipping.ValPool.Count);   // the sample's 9 VOC images
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(from, to));
    }

    private sealed class MaskComparer : IEqualityComparer<SegmentationMask>
    {
        public static readonly MaskComparer Instance = new();
        public bool Equals(SegmentationMask? a, SegmentationMask? b) =>
            a!.Width == b!.Width && a.Height == b.Height && a.Labels.AsSpan().SequenceEqual(b.Labels);
        public int GetHashCode(SegmentationMask m) => m.Width;
    }
}
