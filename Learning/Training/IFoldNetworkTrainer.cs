namespace SegCluster.Learning.Training;

/// <summary>Trains one of a fold's networks (OSLSM, or the baselines' base classifier) to its final checkpoint.</summary>
public interface IFoldNetworkTrainer
{
    /// <summary>Runs synchronously on the calling thread (dispose scopes are per thread); returns the final checkpoint's path.</summary>
    string Run(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken);
}
