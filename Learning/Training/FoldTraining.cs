using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using TorchSharp;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Training;

/// <summary>
/// Trains one of a fold's networks (OSLSM, the baselines' base classifier, the Siamese network) on its D_train to
/// its final checkpoint: resumes from the newest good checkpoint (weights, optimizer, sampler stream), then runs
/// the shared loop on <paramref name="device"/>. Synchronous on the calling thread (dispose scopes are per thread).
/// </summary>
public abstract class FoldTraining(FoldSplit split, FoldTrainingConfig config, CheckpointStore store, Device device)
{
    /// <summary>Called (on the training thread) after each checkpoint is written.</summary>
    public Action<CheckpointInfo>? CheckpointWritten { get; set; }

    /// <summary>Called (on the training thread) with each point of the meanIoU curve when the config asks for evaluation during training.</summary>
    public Action<TrainingEvaluation>? Evaluated { get; set; }

    /// <summary>Called when a corrupt checkpoint is skipped.</summary>
    public Action<string>? CorruptCheckpoint { get; set; }

    /// <summary>
    /// The newest checkpoint whose progress the caller has recorded (null: no record kept). Progress is recorded
    /// after the fact, so a process can die with a checkpoint on disk whose preceding points were never stored;
    /// newer checkpoints are discarded and their iterations trained again, which gives the same numbers.
    /// </summary>
    public int? RecordedUpTo { get; set; }

    /// <summary>The iteration the network is trained to.</summary>
    public int Iterations => config.Iterations;

    /// <summary>The device the network trains on.</summary>
    public Device Device => device;

    /// <summary>Called (on the training thread) once the network is built, with the device its tensors are on.</summary>
    public Action<string>? Started { get; set; }

    protected FoldSplit Split => split;
    protected FoldTrainingConfig Config => config;

    /// <summary>Trains to the configured iteration count; returns the final checkpoint's path.</summary>
    public abstract string Run(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken);

    /// <summary>
    /// Restores the newest good checkpoint (up to <see cref="RecordedUpTo"/>) into the network and optimizer, or starts afresh.
    /// </summary>
    /// <param name="purpose">Names the network's sampler stream, derived from the run's seed.</param>
    /// <returns>The iteration to continue after and the sampler's random stream at that point.</returns>
    protected (int Start, SeededRandom Random) Resume<TModel>(TModel network, OslsmOptimizer optimizer, string purpose)
        where TModel : nn.Module, ISeededNetwork
    {
        config.Validate();
        if (RecordedUpTo is { } recorded) store.DiscardAfter(recorded);
        if (store.LatestGood(CorruptCheckpoint) is not { } latest)
            return (0, SeededRandom.Derive(config.Seed, $"{purpose}-fold{config.Fold}"));
        var metadata = CheckpointFile.Load(latest, network, optimizer);
        return (metadata.Iteration, SeededRandom.FromState(metadata.SamplerState));
    }

    /// <summary>The shared loop from <paramref name="start"/>, saving network and optimizer with the run's config.</summary>
    private protected string Train<TModel>(int start, TModel network, OslsmOptimizer optimizer, TrainingLoop.Step step,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, TrainingLoop.Evaluate? evaluate = null) where TModel : nn.Module, ISeededNetwork
    {
        if (device.type == DeviceType.CUDA) Devices.TorchDevices.UseReproducibleCuda();
        Started?.Invoke(Devices.TorchDevices.DescribeModule(network));
        return start >= config.Iterations
            ? store.PathFor(start)
            : TrainingLoop.Run(start, config.Iterations, config.ProgressEvery, config.CheckpointEvery, store, step,
                (path, iteration, samplerState) => CheckpointFile.Save(path, network, optimizer, iteration, samplerState, config.ToJson()),
                CheckpointWritten, progress, cancellationToken, evaluate, config.Evaluation?.Every ?? 0, Evaluated);
    }
}
