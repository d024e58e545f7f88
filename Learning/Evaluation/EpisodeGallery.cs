using SegCluster.Learning.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace SegCluster.Learning.Evaluation;

/// <summary>An episode rendered for the gallery, with its IoU.</summary>
public sealed record GallerySample(Episode Episode, double Iou, byte[] Png);

/// <summary>
/// Renders an episode as the paper's Figure 4 does: the first support with its mask, the query with the predicted
/// mask, the query with the ground truth, side by side at one height, masks tinted over the images.
/// </summary>
public static class EpisodeGallery
{
    public const int PanelHeight = 160;
    private static readonly Rgb24 SupportTint = new(0, 200, 0), PredictionTint = new(230, 30, 30), TruthTint = new(30, 90, 255);

    /// <param name="predicted">the method's mask at the query's size (1 = class)</param>
    /// <param name="truth">the query's binary ground truth (1 = class, 255 = void)</param>
    public static byte[] RenderPng(EpisodeInput input, ReadOnlySpan<byte> predicted, ReadOnlySpan<byte> truth)
    {
        var support = input.Supports[0];
        var supportMask = new byte[support.Mask.Labels.Length];
        for (var p = 0; p < supportMask.Length; p++) supportMask[p] = support.Mask.Labels[p] == input.ClassId ? (byte)1 : (byte)0;
        using var left = Tinted(support.Image, supportMask, SupportTint);
        using var middle = Tinted(input.Query, predicted, PredictionTint);
        using var right = Tinted(input.Query, truth, TruthTint);
        const int gap = 6;
        using var sheet = new Image<Rgb24>(left.Width + middle.Width + right.Width + 2 * gap, PanelHeight, new Rgb24(255, 255, 255));
        sheet.Mutate(c => c.DrawImage(left, new Point(0, 0), 1f)
            .DrawImage(middle, new Point(left.Width + gap, 0), 1f)
            .DrawImage(right, new Point(left.Width + middle.Width + 2 * gap, 0), 1f));
        using var stream = new MemoryStream();
        sheet.SaveAsPng(stream);
        return stream.ToArray();
    }

    /// <summary>The image at its own size with the mask's pixels (1) tinted as predictions are (`segcluster predict`'s overlay).</summary>
    public static byte[] OverlayPng(Image<Rgb24> image, ReadOnlySpan<byte> mask)
    {
        using var tinted = Tinted(image, mask, PredictionTint, image.Height);
        using var stream = new MemoryStream();
        tinted.SaveAsPng(stream);
        return stream.ToArray();
    }

    /// <summary>The image with mask pixels (value 1) blended two thirds of the way towards the tint, scaled to a height.</summary>
    private static Image<Rgb24> Tinted(Image<Rgb24> image, ReadOnlySpan<byte> mask, Rgb24 tint, int height = PanelHeight)
    {
        if (mask.Length != image.Width * image.Height)
            throw new ArgumentException($"mask has {mask.Length} pixels, image {image.Width}x{image.Height}");
        var copy = image.Clone();
        for (var y = 0; y < copy.Height; y++)
        for (var x = 0; x < copy.Width; x++)
        {
            if (mask[y * copy.Width + x] != 1) continue;
            var p = copy[x, y];
            copy[x, y] = new Rgb24((byte)((p.R + 2 * tint.R) / 3), (byte)((p.G + 2 * tint.G) / 3), (byte)((p.B + 2 * tint.B) / 3));
        }
        if (height == copy.Height) return copy;
        var width = Math.Max(1, (int)Math.Round((double)copy.Width * height / copy.Height));
        copy.Mutate(c => c.Resize(width, height, KnownResamplers.NearestNeighbor));
        return copy;
    }
}
