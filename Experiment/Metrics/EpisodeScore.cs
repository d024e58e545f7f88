namespace SegCluster.Experiment;

/// <summary>The counts of one scored episode, kept for merging and for bootstrap intervals.</summary>
public sealed record EpisodeScore(int ClassId, BinaryCounts Counts);
