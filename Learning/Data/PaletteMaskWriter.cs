using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing.Processors.Quantization;
using SegCluster.Experiment;

namespace SegCluster.Learning.Data;

/// <summary>Writes label masks as VOC does: 8-bit palette PNGs with the VOC colour map (palette index = label).</summary>
public static class PaletteMaskWriter
{
    private static readonly Color[] VocPalette = Enumerable.Range(0, 256)
        .Select(i => { var (r, g, b) = PascalClasses.PaletteColor(i); return Color.FromRgb(r, g, b); })
        .ToArray();

    private static readonly PngEncoder Encoder = new()
    {
        ColorType = PngColorType.Palette,
        BitDepth = PngBitDepth.Bit8,
        Quantizer = new PaletteQuantizer(VocPalette, new QuantizerOptions { Dither = null, MaxColors = 256 }),
    };

    public static void Write(string path, SegmentationMask mask) => File.WriteAllBytes(path, Png(mask));

    public static byte[] Png(SegmentationMask mask)
    {
        using var image = new Image<Rgb24>(mask.Width, mask.Height);
        for (var y = 0; y < mask.Height; y++)
            for (var x = 0; x < mask.Width; x++)
            {
                var (r, g, b) = PascalClasses.PaletteColor(mask[x, y]);
                image[x, y] = new Rgb24(r, g, b);
            }
        using var png = new MemoryStream();
        image.SaveAsPng(png, Encoder);
        return png.ToArray();
    }
}
