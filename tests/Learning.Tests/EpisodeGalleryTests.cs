using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SegCluster.Learning.Tests;

public sealed class EpisodeGalleryTests
{
    [Fact]
    public void Renders_support_prediction_and_truth_side_by_side_with_each_mask_tinted()
    {
        // A grey 8x4 support whose left half is class 3, a grey 8x8 query predicted on its top half, true on its left half.
        using var support = new Image<Rgb24>(8, 4, new Rgb24(100, 100, 100));
        var supportLabels = Enumerable.Range(0, 32).Select(p => p % 8 < 4 ? (byte)3 : (byte)0).ToArray();
        using var query = new Image<Rgb24>(8, 8, new Rgb24(100, 100, 100));
        var predicted = Enumerable.Range(0, 64).Select(p => p < 32 ? (byte)1 : (byte)0).ToArray();
        var truth = Enumerable.Range(0, 64).Select(p => p % 8 < 4 ? (byte)1 : p % 8 == 7 ? (byte)255 : (byte)0).ToArray();
        var input = new EpisodeInput(query, [new SupportExample(support, new SegmentationMask(8, 4, supportLabels))], 3);

        using var sheet = Image.Load<Rgb24>(EpisodeGallery.RenderPng(input, predicted, truth));

        const int h = EpisodeGallery.PanelHeight;
        Assert.Equal(h, sheet.Height);
        Assert.Equal(2 * h + h + h + 2 * 6, sheet.Width);   // support 2:1 wide, two square query panels, two gaps
        Assert.Equal(new Rgb24(33, 166, 33), sheet[h / 4, h / 2]);                 // support mask: green tint
        Assert.Equal(new Rgb24(100, 100, 100), sheet[3 * h / 2, h / 2]);           // outside it: untouched
        var query0 = 2 * h + 6;
        Assert.Equal(new Rgb24(186, 53, 53), sheet[query0 + h / 2, h / 4]);       // predicted: red tint
        Assert.Equal(new Rgb24(100, 100, 100), sheet[query0 + h / 2, 3 * h / 4]);
        var query1 = query0 + h + 6;
        Assert.Equal(new Rgb24(53, 93, 203), sheet[query1 + h / 4, h / 2]);       // ground truth: blue tint
        Assert.Equal(new Rgb24(100, 100, 100), sheet[query1 + h - 1, h / 2]);     // void is not truth
    }

    [Fact]
    public void A_mask_of_the_wrong_size_is_refused()
    {
        using var image = new Image<Rgb24>(4, 4);
        var input = new EpisodeInput(image, [new SupportExample(image, new SegmentationMask(4, 4, new byte[16]))], 1);
        Assert.Throws<ArgumentException>(() => EpisodeGallery.RenderPng(input, new byte[15], new byte[16]));
    }
}
