using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Learning;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using static TorchSharp.torch;

namespace SegCluster.Grains;

/// <summary>How a run config becomes a fold's trainers on a device and its test episodes on the data (all seeded by the run).</summary>
public static class FoldSetup
{
    public static FoldTrainingConfig Training(RunConfig config, int fold) => new(
        fold, config.Preset, config.QuerySize, config.SupportSize, config.Iterations, config.CheckpointEvery, config.ProgressEvery,
        config.Seed, new TrainingOptions(config.LearningRate, config.Momentum, config.ConditioningLearningRateMultiplier, config.Loss, config.Optimizer,
            config.EpisodesPerStep, config.WeightDecay, config.BiasLearningRateMultiplier),
        config.ImageNetWeights, config.FromScratch,
        config.EvaluateEvery > 0 ? new TrainingEvaluationOptions(config.EvaluateEvery, config.EvaluationEpisodes, config.Threshold) : null);

    /// <summary>A network's trainer on the device: the OSLSM settings, with the baselines' own iteration counts.</summary>
    public static FoldTraining Trainer(string network, RunConfig config, FoldSplit split, CheckpointStore store, Device device)
    {
        var training = Training(config, split.Fold);
        return network switch
        {
            "oslsm" => new OslsmFoldTraining(split, training, store, device),
            "base-classifier" => new BaseClassifierFoldTraining(split, training with { Iterations = config.BaseIterations }, store, device),
            "siamese" => new SiameseFoldTraining(split, training with { Iterations = config.SiameseIterations }, store, device),
            _ => throw new ArgumentException($"unknown network '{network}'"),
        };
    }

    /// <summary>
    /// The test episodes of a fold for k shots, split into batches; identical for every method. Sampled from the run's
    /// seed, or read from the run's episode lists when it names a folder of them. Sampled episodes are paired across
    /// shot counts: episode i of every k has the same query and class and its supports begin with those of every
    /// smaller k, so batch b of every k holds the same queries. Each test seed (0..TestSeeds-1) is its own draw.
    /// </summary>
    public static IReadOnlyList<EpisodeSpec[]> Batches(RunConfig config, FoldSplit split, int shots, int testSeed = 0) =>
        Episodes(config, split, shots, testSeed)
            .Select(e => new EpisodeSpec(e.QueryId, e.ClassId, [.. e.SupportIds]))
            .Chunk(config.BatchSize)
            .ToList();

    /// <summary>
    /// The control's episodes: the batch's queries and classes, each with k supports of another test class of the
    /// split (drawn uniformly among those with k images besides the query), presented as the query's class. An
    /// episode whose class is the split's only one with enough images keeps its own supports.
    /// </summary>
    public static EpisodeSpec[] WithOtherClassSupports(RunConfig config, FoldSplit split, int shots, int batch, EpisodeSpec[] episodes, int testSeed = 0)
    {
        var random = SeededRandom.Derive(config.Seed, $"other-class-supports-fold{split.Fold}-shots{shots}-batch{batch}{SeedSuffix(testSeed)}");
        var byClass = split.TestClasses.ToDictionary(c => c, c => split.Test.Where(i => i.Classes.Contains(c)).Select(i => i.Id).ToList());
        return [.. episodes.Select(e =>
        {
            var others = byClass.Where(p => p.Key != e.ClassId && p.Value.Count(id => id != e.QueryId) >= shots).Select(p => p.Key).ToList();
            if (others.Count == 0) return e;
            var shown = others[random.Next(others.Count)];
            var candidates = byClass[shown].Where(id => id != e.QueryId).ToList();
            return e with { SupportIds = [.. random.Sample(candidates.Count, shots).Select(i => candidates[i])], SupportClassId = shown };
        })];
    }

    /// <summary>
    /// The seen-class control's episodes: <see cref="RunConfig.SeenClassEpisodes"/> of them on VOC val images of the
    /// fold's training classes (each class with more than k such images), sampled as the test episodes are.
    /// </summary>
    public static IReadOnlyList<EpisodeSpec[]> SeenClassBatches(RunConfig config, FoldSplit split, int shots)
    {
        if (config.SeenClassEpisodes == 0) return [];
        var enough = split.TrainClasses.Where(c => split.Seen.Count(i => i.Classes.Contains(c)) > shots).ToHashSet();
        var images = split.Seen.Select(i => i with { Classes = [.. i.Classes.Where(enough.Contains)] }).Where(i => i.Classes.Count > 0).ToList();
        if (images.Count == 0) return [];
        return new EpisodeSampler(images, shots, SeededRandom.Derive(config.Seed, $"seen-class-episodes-fold{split.Fold}"), config.TestSampler, paired: true)
            .Take(config.SeenClassEpisodes)
            .Select(e => new EpisodeSpec(e.QueryId, e.ClassId, [.. e.SupportIds]))
            .Chunk(config.BatchSize)
            .ToList();
    }

    public static IReadOnlyList<Episode> Episodes(RunConfig config, FoldSplit split, int shots, int testSeed = 0)
    {
        if (config.EpisodeLists is null)
            return new EpisodeSampler(split.Test, shots, SeededRandom.Derive(config.Seed, $"test-episodes-fold{split.Fold}{SeedSuffix(testSeed)}"),
                config.TestSampler, paired: true).Take(config.Episodes);
        var path = FoldPlan.EpisodeListPath(config.EpisodeLists, split.Fold, shots);
        var episodes = Episode.Load(path);
        var test = split.Test.Select(i => i.Id).ToHashSet();
        foreach (var e in episodes)
        {
            if (e.Shots != shots) throw new DataFileException(path, $"episodes have {e.Shots} supports, expected {shots}");
            if (e.SupportIds.Prepend(e.QueryId).FirstOrDefault(id => !test.Contains(id)) is { } missing)
                throw new DataFileException(path, $"image '{missing}' is not a test image of fold {split.Fold}");
        }
        return episodes;
    }

    /// <summary>Test seed 0 draws as runs did before there were several, so their episodes stay the same.</summary>
    private static string SeedSuffix(int testSeed) => testSeed == 0 ? "" : $"-seed{testSeed}";
}
