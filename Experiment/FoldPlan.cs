namespace SegCluster.Experiment;

/// <summary>What a fold of a run does, in order: the networks it trains, the state it shows meanwhile, where they checkpoint.</summary>
public static class FoldPlan
{
    /// <summary>The networks a run's methods read, in training order: OSLSM always, the baselines' as needed.</summary>
    public static IReadOnlyList<string> Networks(Contracts.RunConfig config)
    {
        var needed = config.Methods.Select(m => m.NetworkOf()).ToHashSet();
        return [.. new[] { "oslsm", "base-classifier", "siamese" }.Where(n => n == "oslsm" || needed.Contains(n))];
    }

    /// <summary>The fold's state while it trains a network (what status and dashboard show).</summary>
    public static Contracts.FoldState StateOf(string network) => network switch
    {
        "oslsm" => Contracts.FoldState.Training,
        "base-classifier" => Contracts.FoldState.TrainingBase,
        "siamese" => Contracts.FoldState.TrainingSiamese,
        _ => throw new ArgumentOutOfRangeException(nameof(network), network, "not a network of the fold plan"),
    };

    /// <summary>Batches a fold has scored at once across the cluster (each on a worker thread of some silo).</summary>
    public const int ParallelBatches = 4;

    public static string EpisodeListPath(string folder, int fold, int shots) => Path.Combine(folder, $"fold{fold}-{shots}shot.txt");
    public static string FoldListPath(string folder, int fold) => Path.Combine(folder, $"fold{fold}.txt");

    /// <summary>Where a fold's network checkpoints: OSLSM's in the fold's folder, the baselines' networks in sub-folders.</summary>
    public static string CheckpointDirectory(string root, string runId, int fold, string network = "oslsm") =>
        network == "oslsm" ? Path.Combine(root, runId, $"fold{fold}") : Path.Combine(root, runId, $"fold{fold}", network);
}
