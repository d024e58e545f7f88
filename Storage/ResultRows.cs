namespace SegCluster.Storage;

/// <summary>
/// Identifies one scored batch of episodes; the key that makes batch writes idempotent. The class set is "unseen"
/// (the fold's held-out classes, the paper's test) or "seen" (its training classes on held-out images, a control);
/// the test seed says which of the run's draws of test episodes the batch belongs to (0: the first).
/// </summary>
public sealed record BatchKey(string RunId, int Fold, string Method, int Shots, int Batch, string ClassSet = BatchKey.Unseen, int TestSeed = 0)
{
    public const string Unseen = "unseen";
}

/// <summary>Confusion sums of one class within a batch.</summary>
public sealed record ClassCountsRow(int ClassId, int Episodes, long TruePositive, long FalsePositive, long FalseNegative, long TrueNegative);

/// <summary>
/// A scored batch: per-class sums, per-episode seconds, the gallery samples it rendered (batch 0 only), and the device
/// its tensors were on.
/// </summary>
public sealed record BatchRow(BatchKey Key, IReadOnlyList<ClassCountsRow> Classes, IReadOnlyList<double> EpisodeSeconds, string? Silo,
    IReadOnlyList<GallerySampleRow>? Samples = null, string? Device = null);

/// <summary>One rendered episode for the gallery: which images, its IoU, and the PNG.</summary>
public sealed record GallerySampleRow(int ClassId, string QueryId, IReadOnlyList<string> SupportIds, double Iou, byte[] Png);

/// <summary>Where a stored gallery sample belongs (its PNG is read separately).</summary>
public sealed record GalleryEntry(int Fold, string Method, int Shots, int ClassId, string QueryId, IReadOnlyList<string> SupportIds, double Iou);

/// <summary>The counts of one class in one stored batch (confidence intervals resample batches).</summary>
public sealed record BatchClassRow(int Fold, string Method, int Shots, int Batch, ClassCountsRow Counts, string ClassSet = BatchKey.Unseen, int TestSeed = 0);

/// <summary>
/// A run's row: status, config and provenance as stored JSON, times, the hash of the config as submitted, and the
/// group of runs trained under several seeds it belongs to (null: none).
/// </summary>
public sealed record RunRecord(string RunId, string Status, string ConfigJson, string ProvenanceJson, DateTime CreatedAt,
    DateTime? StartedAt, DateTime? FinishedAt, string? Error, string ConfigHash, string? Group = null);

/// <summary>A point of a training curve.</summary>
/// <summary>meanIoU of a fixed seeded subset of a fold's test episodes (1-shot, unseen classes), scored during training at an iteration.</summary>
public sealed record TrainingEvaluationRow(int Fold, string Network, int Iteration, int Episodes, double MeanIou);

public sealed record TrainingPointRow(int Fold, string Network, int Iteration, double Loss, double IterationsPerSecond, DateTime RecordedAt);

/// <summary>A written checkpoint.</summary>
public sealed record CheckpointRow(int Fold, string Network, int Iteration, string Path, string Sha256, long Bytes, DateTime CreatedAt);

/// <summary>A fold's row in the folds table: <c>Device</c> is the slot it claimed, <c>TrainingDevice</c> where its tensors were.</summary>
public sealed record FoldRow(int Fold, string Status, string? Silo, string? Device, int Iteration, int Iterations,
    double? TrainSeconds, string? Error, string? TrainingDevice = null);

/// <summary>The stored batches of one (fold, method, shots) on the held-out classes and the episodes they hold.</summary>
public sealed record BatchTallyRow(int Fold, string Method, int Shots, int Batches, int Episodes);

/// <summary>A device slot a fold holds, on a silo that is active or not (a dead silo's slots count for nothing).</summary>
public sealed record HeldSlot(string Silo, string Device, string FoldKey, bool SiloActive);

/// <summary>How many of a run's batches were scored on a device.</summary>
public sealed record ScoringDeviceRow(string Device, int Batches);

/// <summary>Summed counts of one (fold, method, shots, class) over all stored batches of the held-out classes.</summary>
public sealed record ClassTotalsRow(int Fold, string Method, int Shots, int ClassId, int Episodes, long TruePositive, long FalsePositive,
    long FalseNegative, long TrueNegative);

/// <summary>Mean and median seconds per episode of one (method, shots) over a run's held-out-class episodes.</summary>
public sealed record TimingRow(string Method, int Shots, int Episodes, double MeanSeconds, double MedianSeconds);

/// <summary>One row of the runs list: what the run is, when it ran, and its group of training seeds (null: none).</summary>
public sealed record RunListRow(string RunId, string Status, string Preset, string Folds, string Shots, string Methods, long Seed,
    DateTime CreatedAt, TimeSpan? Duration, string? Group = null);
