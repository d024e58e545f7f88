using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SegCluster.Experiment;

namespace SegCluster.Learning.Data;

/// <summary>
/// The embedded default data set: PASCAL-format folders (VOCdevkit with palette PNGs and ImageSets, and an
/// SBD-style part with .mat files) of 20 synthetic classes; images hold 1 to 3 objects on a noisy background,
/// with VOC-style void borders. Deterministic by seed.
/// Class c = 5f + j + 1 (f = the PASCAL-5i fold that tests it, j = 0..4) is shape j (disc, square, triangle,
/// diamond, ring) in colour family (f + j) mod 4, each family with its own hue and texture. So every class a fold
/// tests is a new combination of a shape and a colour that its training classes show: learnable few-shot, while
/// no single attribute identifies a class (distractors share one attribute or the other).
/// </summary>
public static class SyntheticPascal
{
    public sealed record Options(int Images = 600, int Size = 128, ulong Seed = 1);

    public sealed record Layout(string Root)
    {
        public string Voc => Path.Combine(Root, "VOCdevkit", "VOC2012");
        public string Sbd => Path.Combine(Root, "benchmark_RELEASE", "dataset");
        public DataSources Sources => new(Path.Combine(Root, "VOCdevkit"), Path.Combine(Root, "benchmark_RELEASE"));
    }

    /// <summary>Split of the ids: 30% VOC val, 30% VOC train, 20% SBD train, 20% SBD val.</summary>
    public static Layout Generate(string root, Options options)
    {
        if (options.Images < 40) throw new ArgumentOutOfRangeException(nameof(options), options.Images, "at least 40 images");
        if (options.Size is < 32 or > 1024) throw new ArgumentOutOfRangeException(nameof(options), options.Size, "size must be 32..1024 pixels");
        var layout = new Layout(root);
        foreach (var dir in new[] { "JPEGImages", "SegmentationClass", Path.Combine("ImageSets", "Segmentation") })
            Directory.CreateDirectory(Path.Combine(layout.Voc, dir));
        Directory.CreateDirectory(Path.Combine(layout.Sbd, "img"));
        Directory.CreateDirectory(Path.Combine(layout.Sbd, "cls"));

        var ids = Enumerable.Range(0, options.Images).Select(i => $"gen_{i:D6}").ToArray();
        int valEnd = options.Images * 3 / 10, trainEnd = options.Images * 6 / 10, sbdTrainEnd = options.Images * 8 / 10;
        var jpeg = new JpegEncoder { Quality = 92 };
        Parallel.For(0, options.Images, i =>
        {
            var random = SeededRandom.Derive(options.Seed, ids[i]);
            var (image, mask) = Render(options.Size, random);
            using (image)
            {
                if (i < trainEnd)
                {
                    image.SaveAsJpeg(Path.Combine(layout.Voc, "JPEGImages", ids[i] + ".jpg"), jpeg);
                    PaletteMaskWriter.Write(Path.Combine(layout.Voc, "SegmentationClass", ids[i] + ".png"), mask);
                }
                else
                {
                    // SBD has no void label: its masks carry the objects only.
                    var sbdMask = mask with { Labels = mask.Labels.Select(v => v == PascalClasses.Void ? PascalClasses.Background : v).ToArray() };
                    image.SaveAsJpeg(Path.Combine(layout.Sbd, "img", ids[i] + ".jpg"), jpeg);
                    MatFile.WriteSbdSegmentation(Path.Combine(layout.Sbd, "cls", ids[i] + ".mat"), sbdMask);
                }
            }
        });
        var lists = Path.Combine(layout.Voc, "ImageSets", "Segmentation");
        File.WriteAllLines(Path.Combine(lists, "val.txt"), ids[..valEnd]);
        File.WriteAllLines(Path.Combine(lists, "train.txt"), ids[valEnd..trainEnd]);
        File.WriteAllLines(Path.Combine(layout.Sbd, "train.txt"), ids[trainEnd..sbdTrainEnd]);
        File.WriteAllLines(Path.Combine(layout.Sbd, "val.txt"), ids[sbdTrainEnd..]);
        return layout;
    }

    public static (Image<Rgb24> Image, SegmentationMask Mask) Render(int size, SeededRandom random)
    {
        var labels = new byte[size * size];
        var rgb = new float[size * size * 3];
        // Background: a smooth two-colour gradient with noise.
        var c0 = RandomColor(random, 0.15, 0.55);
        var c1 = RandomColor(random, 0.15, 0.55);
        var angle = random.NextDouble() * Math.PI * 2;
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var t = 0.5 + 0.5 * Math.Sin(angle) * (x / (double)size - 0.5) + 0.5 * Math.Cos(angle) * (y / (double)size - 0.5);
                for (var ch = 0; ch < 3; ch++) rgb[(y * size + x) * 3 + ch] = (float)(c0[ch] * (1 - t) + c1[ch] * t);
            }

        var objects = 1 + random.Next(3);
        for (var o = 0; o < objects; o++)
        {
            var classId = 1 + random.Next(PascalClasses.Count);
            var radius = size * (0.12 + 0.14 * random.NextDouble());
            var cx = radius + random.NextDouble() * (size - 2 * radius);
            var cy = radius + random.NextDouble() * (size - 2 * radius);
            var (shape, family) = Attributes(classId);
            var color = FamilyColor(family);
            var period = 3 + random.Next(3);
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                {
                    if (!Inside(shape, (x - cx) / radius, (y - cy) / radius)) continue;
                    var shade = Texture(family, x, y, period) ? 1.0 : 0.55;
                    var p = y * size + x;
                    labels[p] = (byte)classId;
                    for (var ch = 0; ch < 3; ch++) rgb[p * 3 + ch] = (float)(color[ch] * shade);
                }
        }
        AddVoidBorders(labels, size);

        var image = new Image<Rgb24>(size, size);
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var p = (y * size + x) * 3;
                image[x, y] = new Rgb24(Channel(rgb[p], random), Channel(rgb[p + 1], random), Channel(rgb[p + 2], random));
            }
        return (image, new SegmentationMask(size, size, labels));
    }

    private static byte Channel(float value, SeededRandom random) =>
        (byte)Math.Clamp((int)Math.Round(255 * (value + 0.06 * (random.NextDouble() - 0.5))), 0, 255);

    private static bool Inside(int shape, double u, double v) => shape switch
    {
        0 => u * u + v * v <= 1,                                   // disc
        1 => Math.Abs(u) <= 0.8 && Math.Abs(v) <= 0.8,             // square
        2 => v <= 0.8 && v >= -1 + 2 * Math.Abs(u),                // triangle
        3 => Math.Abs(u) + Math.Abs(v) <= 1,                       // diamond
        _ => u * u + v * v <= 1 && u * u + v * v >= 0.3,           // ring
    };

    private static bool Texture(int texture, int x, int y, int period) => texture switch
    {
        0 => true,                                                 // solid
        1 => y / period % 2 == 0,                                  // stripes
        2 => (x / period + y / period) % 2 == 0,                   // checks
        _ => !((x % period) * 2 < period && (y % period) * 2 < period), // dots
    };

    /// <summary>The shape (0..4) and colour family (0..3) of a class.</summary>
    public static (int Shape, int Family) Attributes(int classId)
    {
        var fold = (classId - 1) / 5;
        var shape = (classId - 1) % 5;
        return (shape, (fold + shape) % 4);
    }

    /// <summary>Four saturated hues, a quarter of the colour wheel apart.</summary>
    private static double[] FamilyColor(int family)
    {
        var (r, g, b) = Hsv(family * 90.0 + 15, 0.85, 0.95);
        return [r, g, b];
    }

    private static double[] RandomColor(SeededRandom random, double low, double high) =>
        [low + (high - low) * random.NextDouble(), low + (high - low) * random.NextDouble(), low + (high - low) * random.NextDouble()];

    private static (double, double, double) Hsv(double h, double s, double v)
    {
        var c = v * s;
        var x = c * (1 - Math.Abs(h / 60 % 2 - 1));
        var m = v - c;
        var (r, g, b) = (h / 60) switch
        {
            < 1 => (c, x, 0.0),
            < 2 => (x, c, 0.0),
            < 3 => (0.0, c, x),
            < 4 => (0.0, x, c),
            < 5 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        return (r + m, g + m, b + m);
    }

    /// <summary>VOC marks a band of pixels around each object as void (255); so do we, 2 pixels wide.</summary>
    private static void AddVoidBorders(byte[] labels, int size)
    {
        var border = new bool[labels.Length];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var label = labels[y * size + x];
                for (var dy = -2; dy <= 2 && !border[y * size + x]; dy++)
                    for (var dx = -2; dx <= 2; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= size || ny >= size) continue;
                        if (labels[ny * size + nx] != label && (label == 0 || labels[ny * size + nx] > label))
                        {
                            border[y * size + x] = true;
                            break;
                        }
                    }
            }
        for (var i = 0; i < labels.Length; i++) if (border[i]) labels[i] = PascalClasses.Void;
    }
}
