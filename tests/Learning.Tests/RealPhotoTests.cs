using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace SegCluster.Learning.Tests;

/// <summary>
/// Episodes scored end to end on genuine VOC photos and their masks (tests/fixtures/voc-sample, at their own sizes):
/// fold 2's D_test holds dog in three val images and person in two, enough for 1-shot episodes.
/// </summary>
[Collection(nameof(TorchGlobalState))]
public sealed class RealPhotoTests
{
    private static readonly FoldSplit Fold2 = FoldSplit.Build(DataCatalog.Scan(Fixtures.VocSample), 2);
    private static readonly IReadOnlyDictionary<string, AnnotatedImage> Images = Fold2.Test.ToDictionary(i => i.Id);
    private static IReadOnlyList<Episode> Episodes(int count) =>
        new EpisodeSampler(Fold2.Test, 1, SeededRandom.Derive(1, "real-photos"), TestSampler.Pairs, paired: true).Take(count);

    [Fact]
    public void Every_method_scores_real_episodes_against_the_photos_own_masks()
    {
        var episodes = Episodes(12);
        Assert.Equal([12, 15], episodes.Select(e => e.ClassId).Distinct().Order());   // dog and person

        // All-foreground's IoU is the class's share of the query's labelled pixels, read here straight from the mask.
        var everything = EpisodeEvaluator.Score(new AllForegroundSolver(), episodes, Images);
        foreach (var (episode, score) in episodes.Zip(everything.Scores))
        {
            var labels = Images[episode.QueryId].Record.ReadMask().Labels;
            var share = (double)labels.Count(v => v == episode.ClassId) / labels.Count(v => v != PascalClasses.Void);
            Assert.Equal(share, score.Counts.ForegroundIou, 12);
            Assert.Equal(labels.Length - labels.Count(v => v == PascalClasses.Void),
                score.Counts.TruePositive + score.Counts.FalsePositive + score.Counts.FalseNegative + score.Counts.TrueNegative);
        }

        // An untrained OSLSM and the support-mask copy run on the photos at their own sizes and give IoUs in [0, 1].
        using var network = new OslsmNetwork(OslsmPreset.Tiny with { QuerySize = 96, SupportSize = 96 }, seed: 1, CPU);
        foreach (var solver in new IEpisodeSolver[] { new OslsmSolver(network), new SupportMaskSolver() })
        {
            var result = EpisodeEvaluator.Score(solver, episodes, Images);
            Assert.All(result.Scores, s => Assert.InRange(s.Counts.ForegroundIou, 0, 1));
            Assert.Equal(everything.Scores.Select(s => s.Counts.TruePositive + s.Counts.FalseNegative),
                result.Scores.Select(s => s.Counts.TruePositive + s.Counts.FalseNegative));   // the same truth for every method
        }
    }

    [Fact]
    public void The_gallery_tile_of_a_real_photo_tints_exactly_the_masked_pixels()
    {
        var episode = Episodes(1)[0];
        using var input = EpisodeEvaluator.Load(episode, Images);
        var truth = EpisodeEvaluator.QueryTruth(episode, Images);
        var predicted = new byte[truth.Length];   // nothing predicted: the middle panel is the photo itself
        using var sheet = Image.Load<Rgb24>(EpisodeGallery.RenderPng(input, predicted, truth));

        const int h = EpisodeGallery.PanelHeight, gap = 6;
        var support = input.Supports[0];
        var supportWidth = (int)Math.Round((double)support.Image.Width * h / support.Image.Height);
        var queryWidth = (int)Math.Round((double)input.Query.Width * h / input.Query.Height);
        Assert.Equal(supportWidth + 2 * queryWidth + 2 * gap, sheet.Width);
        var (middle, right) = (supportWidth + gap, supportWidth + queryWidth + 2 * gap);
        // Each pixel of the truth panel is the photo's (the untinted middle panel) or that pixel tinted toward blue.
        var tinted = 0;
        for (var y = 0; y < h; y++)
            for (var x = 0; x < queryWidth; x++)
            {
                var (photo, shown) = (sheet[middle + x, y], sheet[right + x, y]);
                var blue = new Rgb24((byte)((photo.R + 60) / 3), (byte)((photo.G + 180) / 3), (byte)((photo.B + 510) / 3));
                Assert.True(shown == photo || shown == blue, $"({x}, {y}): {shown}, photo {photo}");
                if (shown == blue && shown != photo) tinted++;
            }
        // As many of them as the mask has class pixels (the panel scales the photo, so up to a few percent off).
        var share = (double)truth.Count(v => v == 1) / truth.Length;
        Assert.InRange(tinted / (double)(h * queryWidth), share * 0.95 - 0.005, share * 1.05 + 0.005);
        Assert.True(share > 0.02, $"class {episode.ClassId} covers {share:P1} of {episode.QueryId}");
        // The photo is a photo: the untinted panel is not one flat colour.
        Assert.True(Enumerable.Range(0, queryWidth).Select(x => sheet[middle + x, h / 2]).Distinct().Count() > 20);
    }
}
