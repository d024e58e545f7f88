using System.Diagnostics;
using SegCluster.Learning.Data;
using SegCluster.Experiment;

namespace SegCluster.Learning.Evaluation;

/// <summary>The counts and per-episode times of a batch of episodes scored by one method, and any episodes rendered.</summary>
public sealed record EvaluationResult(IReadOnlyList<EpisodeScore> Scores, IReadOnlyList<double> Seconds, IReadOnlyList<GallerySample> Samples);

/// <summary>
/// Scores episodes: decodes the images, asks the solver for the query mask, counts tp/fp/fn/tn against the
/// query's mask binarised for the episode's class (void ignored), and times the solver call. One untimed,
/// unscored warm-up call precedes the timed ones (Table 2 excludes warm-up). Episodes that <c>render</c> picks are
/// also drawn for the gallery, outside the timed call.
/// </summary>
public static class EpisodeEvaluator
{
    public static EvaluationResult Score(IEpisodeSolver solver, IReadOnlyList<Episode> episodes, IReadOnlyDictionary<string, AnnotatedImage> images,
        Func<Episode, bool>? render = null, CancellationToken cancellationToken = default)
    {
        var samples = new List<GallerySample>();
        var scores = new List<EpisodeScore>(episodes.Count);
        var seconds = new List<double>(episodes.Count);
        for (var i = 0; i < episodes.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var episode = episodes[i];
            using var input = Load(episode, images);
            if (i == 0) solver.Predict(input);
            var clock = Stopwatch.StartNew();
            var predicted = solver.Predict(input);
            seconds.Add(clock.Elapsed.TotalSeconds);
            var binary = QueryTruth(episode, images);
            var counts = BinaryCounts.Count(predicted, binary);
            scores.Add(new EpisodeScore(episode.ClassId, counts));
            if (render?.Invoke(episode) == true)
                samples.Add(new GallerySample(episode, counts.ForegroundIou, EpisodeGallery.RenderPng(input, predicted, binary)));
        }
        return new EvaluationResult(scores, seconds, samples);
    }

    public static EpisodeInput Load(Episode episode, IReadOnlyDictionary<string, AnnotatedImage> images)
    {
        var query = ImageFiles.ReadRgb(Lookup(images, episode.QueryId).Record.ImagePath);
        var supports = episode.SupportIds.Select(id =>
        {
            var record = Lookup(images, id).Record;
            var mask = record.ReadMask();
            return new SupportExample(ImageFiles.ReadRgb(record.ImagePath), episode.ShownClassId == episode.ClassId ? mask : mask.Relabelled(episode.ShownClassId, episode.ClassId));
        }).ToList();
        return new EpisodeInput(query, supports, episode.ClassId);
    }

    /// <summary>The query's mask binarised for the episode's class: 1 class, 0 background (other classes too), 255 void.</summary>
    public static byte[] QueryTruth(Episode episode, IReadOnlyDictionary<string, AnnotatedImage> images)
    {
        var truth = Lookup(images, episode.QueryId).Record.ReadMask();
        var binary = new byte[truth.Labels.Length];
        for (var p = 0; p < binary.Length; p++)
            binary[p] = truth.Labels[p] == PascalClasses.Void ? PascalClasses.Void : truth.Labels[p] == episode.ClassId ? (byte)1 : (byte)0;
        return binary;
    }

    private static AnnotatedImage Lookup(IReadOnlyDictionary<string, AnnotatedImage> images, string id) =>
        images.TryGetValue(id, out var image) ? image : throw new ArgumentException($"episode refers to image '{id}', which is not in the split");
}
