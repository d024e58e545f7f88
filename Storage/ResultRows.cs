namespace SegCluster.Storage;

/// <summary>Identifies one scored batch of episodes; the key that makes batch writes idempotent.</summary>
public sealed record BatchKey(string RunId, int Fold, string Method, int Shots, int Batch);

/// <summary>Confusion sums of one class within a batch.</summary>
public sealed record ClassCountsRow(int ClassId, int Episodes, long TruePositive, long FalsePositive, long FalseNegative, long TrueNegative);

/// <summary>A scored batch: per-class sums and per-episode seconds.</summary>
public sealed record BatchRow(BatchKey Key, IReadOnlyList<ClassCountsRow> Classes, IReadOnlyList<double> EpisodeSeconds, string? Silo);

/// <summary>A fold's row in the folds table.</summary>
public sealed record FoldRow(int Fold, string Status, string Phase, string? Silo, string? Device, int Iteration, int Iterations,
    double? TrainSeconds, string? Error);

/// <summary>Summed counts of one (fold, method, shots, class) over all stored batches.</summary>
public sealed record ClassTotalsRow(int Fold, string Method, int Shots, int ClassId, int Episodes, long TruePositive, long FalsePositive,
    long FalseNegative, long TrueNegative);

/// <summary>Mean and median seconds per episode of one (method, shots) over a run.</summary>
public sealed record TimingRow(string Method, int Shots, int Episodes, double MeanSeconds, double MedianSeconds);
