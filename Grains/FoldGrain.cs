using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SegCluster.Contracts;
using SegCluster.Learning.Devices;
using SegCluster.Learning.Training;
using SegCluster.Storage;
using SegCluster.Experiment;

namespace SegCluster.Grains;

/// <summary>
/// Trains one fold on a device slot of its silo (on one of the silo's torch workers: TorchSharp dispose scopes are per thread),
/// streaming progress back through a channel so no grain turn ever blocks, then fans its test episodes out to
/// episode grains across the cluster. Its state is persisted; when its silo dies, the next status call re-activates
/// it elsewhere and it resumes from its newest good checkpoint.
/// </summary>
[DeviceSlotPlacement]
public sealed class FoldGrain(
    [PersistentState("fold")] IPersistentState<FoldGrainState> state,
    ILocalSiloDetails silo,
    ResultsStore results,
    DeviceSlots slots,
    DataCatalogCache data,
    TorchWorkers workers,
    IOptions<SiloSettings> settings,
    ILogger<FoldGrain> logger) : Grain, IFoldGrain
{
    private CancellationTokenSource? cancellation;
    private Task? work;
    private FoldStatus? live;
    private string? device;

    private string Key => this.GetPrimaryKeyString();
    private string SiloName => silo.SiloAddress.ToParsableString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Config is null) return;
        state.State.Config = RunSettings.Upgrade(state.State.Config);   // stored by an older version
        if (!state.State.State.IsFinished()) StartWork();   // re-activated after its silo died: resume
        // A finished fold activated again (a late status call) was placed by claiming a slot it will never release.
        else await slots.ReleaseAsync(Key, cancellationToken);
    }

    public async Task StartAsync(RunConfig config, int fold)
    {
        if (state.State.Config is null)
        {
            state.State.Config = config;
            state.State.Fold = fold;
            await state.WriteWithRetryAsync();
        }
        StartWork();
    }

    public Task<FoldStatus> GetStatusAsync() => Task.FromResult(Status());

    public async Task CancelAsync()
    {
        if (state.State.State.IsFinished()) return;
        state.State.State = FoldState.Cancelled;
        await state.WriteWithRetryAsync();
        cancellation?.Cancel();
        // Not awaited: finishing notifies the run grain, which may be the caller waiting on this very call.
        if (work is null) _ = FinishAsync();
    }

    private FoldStatus Status() => live ?? new FoldStatus(state.State.Fold, state.State.State, 0, state.State.Config?.Iterations ?? 0, 0, 0, 0, 0, 0,
        null, null, state.State.Error);

    private void StartWork()
    {
        if (work is not null || state.State.State.IsFinished()) return;
        cancellation = new CancellationTokenSource();
        work = RunAsync(cancellation.Token);
    }

    private async Task RunAsync(CancellationToken cancel)
    {
        var config = state.State.Config!;
        var fold = state.State.Fold;
        // Training outlives the idle-collection age; the activation stays until the work ends.
        DelayDeactivation(TimeSpan.FromDays(30));
        try
        {
            device = await ClaimDeviceAsync(cancel);
            if (device is null) return;   // gave up this silo: the next status call places the fold anew
            var split = await Task.Run(() => data.Split(config, fold), cancel);

            // Each network the run's methods read, in order; one that finished before a silo died is not trained again.
            foreach (var network in FoldPlan.Networks(config).Where(n => !state.State.Checkpoints.ContainsKey(n)))
            {
                state.State.State = FoldPlan.StateOf(network);
                await state.WriteWithRetryAsync();
                state.State.Checkpoints[network] = await TrainAsync(config, network, split, cancel);
                await state.WriteWithRetryAsync();
            }
            if (state.State.State != FoldState.Evaluating)
            {
                state.State.State = FoldState.Evaluating;
                await state.WriteWithRetryAsync();
            }
            await EvaluateAsync(config, split, cancel);
            state.State.State = FoldState.Done;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            state.State.State = FoldState.Cancelled;
        }
        catch (Exception e)
        {
            logger.LogError(e, "fold {Key} failed", Key);
            state.State.State = FoldState.Failed;
            state.State.Error = e.Message;
        }
        finally
        {
            work = null;
        }
        await state.WriteWithRetryAsync();
        await FinishAsync();
    }

    private async Task FinishAsync()
    {
        // The fold's row is final (finished_at) before its slot is free: a fold's recorded interval on a device
        // always ends before the next fold's on that device begins.
        live = Status() with { State = state.State.State, Error = state.State.Error };
        await WriteFoldRowAsync(live);
        await slots.ReleaseAsync(Key);
        await GrainFactory.GetGrain<IRunGrain>(state.State.Config!.RunId).FoldFinishedAsync(live);
        DelayDeactivation(TimeSpan.Zero);
    }

    /// <summary>Waits for a device slot on this silo; after a while without one, lets the fold be placed anew.</summary>
    private async Task<string?> ClaimDeviceAsync(CancellationToken cancel)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (await slots.ClaimAsync(SiloName, Key, cancel) is { } claimed) return claimed;
            live = Status() with { State = FoldState.Queued, Silo = SiloName };
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                DeactivateOnIdle();
                return null;
            }
            await Task.Delay(TimeSpan.FromSeconds(2), cancel);
        }
    }

    /// <summary>
    /// Trains one of the fold's networks on a dedicated thread, recording its progress and checkpoints as they
    /// come through a channel; returns the final checkpoint.
    /// </summary>
    private async Task<string> TrainAsync(RunConfig config, string network, Learning.Data.FoldSplit split, CancellationToken cancel)
    {
        var fold = state.State.Fold;
        var events = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
        var trainer = FoldSetup.Trainer(network, config, split, new CheckpointStore(FoldPlan.CheckpointDirectory(settings.Value.CheckpointRoot, config.RunId, fold, network)),
            DeviceSlot.Parse(device!).Device);
        trainer.CheckpointWritten = written => events.Writer.TryWrite(written);
        trainer.Started = ranOn => events.Writer.TryWrite(new TrainingDevice(ranOn));
        trainer.Evaluated = point => events.Writer.TryWrite(point);
        trainer.CorruptCheckpoint = message => logger.LogWarning("skipping corrupt checkpoint: {Message}", message);
        // A checkpoint's record follows its progress points through the channel: resuming only from recorded
        // checkpoints means no point is lost when a silo dies with reports still queued.
        trainer.RecordedUpTo = await results.ReadLatestCheckpointIterationAsync(config.RunId, fold, network, cancel);
        var clock = Stopwatch.StartNew();
        var training = workers.RunAsync(() =>
        {
            try { return trainer.Run(new ChannelProgress(events.Writer), cancel); }
            finally { events.Writer.TryComplete(); }
        });

        live = Status() with
        {
            State = FoldPlan.StateOf(network), Silo = SiloName, Device = device, Iteration = 0, Iterations = trainer.Iterations, Loss = 0,
            IterationsPerSecond = 0, SecondsRemaining = 0,
        };
        await WriteFoldRowAsync(live);
        await foreach (var item in events.Reader.ReadAllAsync(CancellationToken.None))
        {
            switch (item)
            {
                case TrainingProgress p:
                    live = live with { Iteration = p.Iteration, Iterations = p.Iterations, Loss = p.Loss, IterationsPerSecond = p.IterationsPerSecond,
                        SecondsRemaining = p.EstimatedRemaining.TotalSeconds };
                    await results.AddTrainingPointAsync(config.RunId, fold, network, p.Iteration, p.Loss, p.IterationsPerSecond);
                    await WriteFoldRowAsync(live);
                    break;
                case TrainingDevice ranOn:
                    live = live with { TrainingDevice = ranOn.Description };
                    await WriteFoldRowAsync(live);
                    break;
                case TrainingEvaluation point:
                    await results.AddTrainingEvaluationAsync(config.RunId, fold, network, point.Iteration, point.Episodes, point.MeanIou);
                    break;
                case CheckpointInfo written:
                    await results.AddCheckpointAsync(config.RunId, fold, network, written.Iteration, written.Path, written.Sha256, written.Bytes);
                    break;
            }
        }
        var final = await training;
        state.State.TrainSeconds += clock.Elapsed.TotalSeconds;
        return final;
    }

    private async Task EvaluateAsync(RunConfig config, Learning.Data.FoldSplit split, CancellationToken cancel)
    {
        var fold = state.State.Fold;
        var requests = Enumerable.Range(0, config.TestSeeds).SelectMany(seed => config.Shots.SelectMany(shots =>
                FoldSetup.Batches(config, split, shots, seed).Select((episodes, batch) => (seed, shots, batch, episodes))))
            .SelectMany(b => config.Methods.Where(method => method.Supports(b.shots)).Select(method =>
                new EpisodeBatchRequest(config, fold, method, b.shots, b.batch, CheckpointOf(method),
                    method == Method.OslsmOtherClass ? FoldSetup.WithOtherClassSupports(config, split, b.shots, b.batch, b.episodes, b.seed) : b.episodes,
                    TestSeed: b.seed)))
            .Concat(config.Shots.SelectMany(shots => FoldSetup.SeenClassBatches(config, split, shots).Select((episodes, batch) => (shots, batch, episodes)))
                .SelectMany(b => config.Methods.Where(method => method.Supports(b.shots) && !method.Entry().Control).Select(method =>
                    new EpisodeBatchRequest(config, fold, method, b.shots, b.batch, CheckpointOf(method), b.episodes, ClassSet.Seen))))
            .ToList();
        live = Status() with { State = FoldState.Evaluating, Iteration = config.Iterations, Iterations = config.Iterations, Silo = SiloName, Device = device,
            BatchesTotal = requests.Count };
        await WriteFoldRowAsync(live);
        var done = 0;
        using var gate = new SemaphoreSlim(FoldPlan.ParallelBatches);
        await Task.WhenAll(requests.Select(async request =>
        {
            await gate.WaitAsync(cancel);
            try
            {
                var key = $"{config.RunId}/{fold}/{request.Method.Name()}/{request.Shots}/{request.ClassSet.Name()}/{request.TestSeed}/{request.Batch}";
                // A batch whose silo died is scored again elsewhere; the stored-result check makes that safe.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await GrainFactory.GetGrain<IEpisodeGrain>(key).ScoreAsync(request);
                        break;
                    }
                    catch (Exception e) when (attempt < 5 && e is OrleansException or TimeoutException)
                    {
                        logger.LogWarning("batch {Key} attempt {Attempt} failed: {Message}", key, attempt, e.Message);
                        await Task.Delay(TimeSpan.FromSeconds(2 * attempt), cancel);
                    }
                }
                live = live with { BatchesDone = ++done };
            }
            finally { gate.Release(); }
        }));
    }

    /// <summary>The checkpoint of the network a method reads ("" for the trivial references, which read none).</summary>
    private string CheckpointOf(Method method) => method.NetworkOf() is { } network ? state.State.Checkpoints[network] : "";

    private Task WriteFoldRowAsync(FoldStatus status) => results.UpdateFoldAsync(state.State.Config!.RunId, new FoldRow(
        status.Fold, status.State.Name(), status.Silo, status.Device, status.Iteration, status.Iterations,
        state.State.TrainSeconds > 0 ? state.State.TrainSeconds : null, status.Error, status.TrainingDevice));

    /// <summary>Where the training thread's tensors are, reported once a network is built.</summary>
    private sealed record TrainingDevice(string Description);

    /// <summary>Forwards the training thread's progress reports into the grain's channel.</summary>
    private sealed class ChannelProgress(ChannelWriter<object> writer) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => writer.TryWrite(value);
    }
}
