namespace SegCluster.Contracts;

/// <summary>
/// One episode: query image id, class (1..20), support image ids, and (a control, 0 otherwise) the other class whose
/// objects the supports show in place of the query's.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EpisodeSpec([property: Id(0)] string QueryId, [property: Id(1)] int ClassId, [property: Id(2)] string[] SupportIds,
    [property: Id(3)] int SupportClassId = 0);

/// <summary>
/// A batch of episodes for one method to score, with what it needs to build the method; the test seed is the draw of
/// test episodes it belongs to (<see cref="RunConfig.TestSeeds"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EpisodeBatchRequest(
    [property: Id(0)] RunConfig Config,
    [property: Id(1)] int Fold,
    [property: Id(2)] Method Method,
    [property: Id(3)] int Shots,
    [property: Id(4)] int Batch,
    [property: Id(5)] string Checkpoint,
    [property: Id(6)] EpisodeSpec[] Episodes,
    [property: Id(7)] ClassSet ClassSet = ClassSet.Unseen,
    [property: Id(8)] int TestSeed = 0);

/// <summary>Per-class sums of a scored batch.</summary>
[GenerateSerializer, Immutable]
public sealed record ClassCounts(
    [property: Id(0)] int ClassId,
    [property: Id(1)] int Episodes,
    [property: Id(2)] long TruePositive,
    [property: Id(3)] long FalsePositive,
    [property: Id(4)] long FalseNegative,
    [property: Id(5)] long TrueNegative);

/// <summary>The result of a batch: per-class counts, per-episode seconds, and the silo that scored it.</summary>
[GenerateSerializer, Immutable]
public sealed record EpisodeBatchResult(
    [property: Id(0)] ClassCounts[] Classes,
    [property: Id(1)] double[] EpisodeSeconds,
    [property: Id(2)] string Silo,
    [property: Id(3)] bool FromStore);
