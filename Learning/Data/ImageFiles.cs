using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SegCluster.Experiment;

namespace SegCluster.Learning.Data;

/// <summary>Reads images and label masks with ImageSharp, turning every failure into a DataFileException.</summary>
public static class ImageFiles
{
    /// <summary>Larger images are refused before decoding (a 20000x20000 file would need gigabytes).</summary>
    public const int MaxSide = 4096;

    /// <summary>
    /// Images are decoded, and then resized (an image keeps its decoder's configuration), on the calling thread:
    /// callers already work on several images at once (batches in flight, one episode loader per fold), so ImageSharp's
    /// own row parallelism would only hand work to the thread pool beside them (measured: no faster, slightly more CPU).
    /// </summary>
    private static readonly Configuration Serial = SerialConfiguration();

    private static Configuration SerialConfiguration()
    {
        var configuration = Configuration.Default.Clone();
        configuration.MaxDegreeOfParallelism = 1;
        return configuration;
    }

    public static Image<Rgb24> ReadRgb(string path)
    {
        CheckSize(path);
        if (IsJpegCutShort(path)) throw new DataFileException(path, "not a readable image (a JPEG cut short: no end-of-image marker)");
        try { return Image.Load<Rgb24>(Serial, path); }
        catch (Exception e) when (e is not DataFileException) { throw new DataFileException(path, $"not a readable image ({e.Message})", e); }
    }

    /// <summary>
    /// Whether the file is a JPEG whose last bytes hold no end-of-image marker (FF D9): ImageSharp decodes a cut-off
    /// scan without complaint, filling the rest with grey.
    /// </summary>
    private static bool IsJpegCutShort(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> head = stackalloc byte[2];
            if (file.Read(head) < 2 || head[0] != 0xFF || head[1] != 0xD8) return false;
            var tail = new byte[(int)Math.Min(64, file.Length)];
            file.Seek(-tail.Length, SeekOrigin.End);
            file.ReadExactly(tail);
            for (var i = tail.Length - 2; i >= 0; i--)
                if (tail[i] == 0xFF && tail[i + 1] == 0xD9) return false;
            return true;
        }
        catch (IOException e) { throw new DataFileException(path, $"cannot read ({e.Message})", e); }
    }

    /// <summary>
    /// A label mask from a PNG: an 8-bit palette PNG (VOC SegmentationClass: the palette index is the label)
    /// or a grayscale PNG (SegmentationClassAug: the gray value is the label).
    /// </summary>
    public static SegmentationMask ReadPngMask(string path)
    {
        CheckSize(path);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) { throw new DataFileException(path, $"cannot read ({e.Message})", e); }
        var palette = ReadPngPalette(path, bytes);
        try
        {
            if (palette is null)
            {
                using var gray = Image.Load<L8>(Serial, bytes);
                var labels = new byte[gray.Width * gray.Height];
                gray.CopyPixelDataTo(labels);
                return new SegmentationMask(gray.Width, gray.Height, labels).Validated(path);
            }
            using var image = Image.Load<Rgb24>(Serial, bytes);
            var indexOf = new Dictionary<int, byte>();
            for (var i = palette.Length - 1; i >= 0; i--) indexOf[Key(palette[i])] = (byte)i; // first index wins
            var pixels = new Rgb24[image.Width * image.Height];
            image.CopyPixelDataTo(pixels);
            var mask = new byte[pixels.Length];
            for (var i = 0; i < pixels.Length; i++)
            {
                if (!indexOf.TryGetValue(Key(pixels[i]), out var index))
                    throw new DataFileException(path, $"pixel ({i % image.Width}, {i / image.Width}) has a colour outside the palette");
                mask[i] = index;
            }
            return new SegmentationMask(image.Width, image.Height, mask).Validated(path);
        }
        catch (Exception e) when (e is not DataFileException) { throw new DataFileException(path, $"not a readable PNG mask ({e.Message})", e); }
    }

    /// <summary>Checks an image file's dimensions without decoding its pixels.</summary>
    public static (int Width, int Height) CheckSize(string path)
    {
        if (!File.Exists(path)) throw new DataFileException(path, "file not found");
        IImageInfo? info;
        try { info = Image.Identify(path); }
        catch (Exception e) { throw new DataFileException(path, $"not a readable image ({e.Message})", e); }
        if (info is null) throw new DataFileException(path, "not a readable image (unknown format)");
        if (info.Width < 1 || info.Height < 1) throw new DataFileException(path, $"image has no pixels ({info.Width}x{info.Height})");
        if (info.Width > MaxSide || info.Height > MaxSide)
            throw new DataFileException(path, $"image is {info.Width}x{info.Height}; at most {MaxSide}x{MaxSide} is accepted");
        return (info.Width, info.Height);
    }

    /// <summary>The PLTE chunk of a PNG as RGB entries, or null for a PNG without a palette (grayscale).</summary>
    private static Rgb24[]? ReadPngPalette(string path, byte[] png)
    {
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(signature)) throw new DataFileException(path, "not a PNG file");
        var offset = 8;
        while (offset + 8 <= png.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            if (length < 0 || offset + 12 + (long)length > png.Length) throw new DataFileException(path, $"truncated PNG (chunk {type})");
            if (type == "IHDR")
            {
                var colorType = png[offset + 8 + 9];
                if (colorType == 0) return null; // grayscale: the gray value is the label
                if (colorType != 3) throw new DataFileException(path, $"a mask PNG must be indexed (palette) or grayscale, not colour type {colorType}");
            }
            if (type == "PLTE")
            {
                var entries = new Rgb24[length / 3];
                for (var i = 0; i < entries.Length; i++)
                    entries[i] = new Rgb24(png[offset + 8 + 3 * i], png[offset + 9 + 3 * i], png[offset + 10 + 3 * i]);
                return entries;
            }
            if (type is "IDAT" or "IEND") break;
            offset += 12 + length;
        }
        throw new DataFileException(path, "indexed PNG without a palette");
    }

    private static int Key(Rgb24 c) => (c.R << 16) | (c.G << 8) | c.B;
}
