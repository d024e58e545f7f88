using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Utilities;
using SegCluster.Contracts;
using SegCluster.Learning;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using SegCluster.Storage;
using SegCluster.Experiment;

namespace SegCluster.Grains;

/// <summary>
/// A run: validates its config, records it, starts its folds, and watches them. A timer polls the folds every
/// few seconds (which re-activates a fold whose silo died, so it resumes); a reminder re-activates the run grain
/// itself if its own silo dies.
/// </summary>
public sealed class RunGrain(
    [PersistentState("run")] IPersistentState<RunGrainState> state,
    ResultsStore results,
    DataCatalogCache data,
    IOptions<SiloSettings> settings,
    ILogger<RunGrain> logger) : Grain, IRunGrain, IRemindable
{
    private const string WatchReminder = "watch";
    private IGrainTimer? watch;
    private readonly ObserverManager<IRunObserver> observers = new(TimeSpan.FromMinutes(1), logger);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Config is not null) state.State.Config = RunSettings.Upgrade(state.State.Config);   // stored by an older version
        if (state.State.Config is not null && state.State.State == RunState.Running) StartWatching();
        return Task.CompletedTask;
    }

    public async Task StartAsync(RunConfig config, string? group)
    {
        if (state.State.Config is not null)
        {
            if (state.State.Config.RunId == config.RunId && JsonSerializer.Serialize(state.State.Config) == JsonSerializer.Serialize(config)) return;
            throw new InvalidOperationException($"run '{config.RunId}' exists with a different config");
        }
        if (config.RunId != this.GetPrimaryKeyString()) throw new ArgumentException("runId: must equal the run grain's key");
        RunConfigValidator.Validate(config, settings.Value.DataRoots);
        var (dataDigest, weightsDigest) = await CheckDataAsync(config);

        var json = JsonSerializer.Serialize(config);
        var provenance = JsonSerializer.Serialize(new
        {
            gitCommit = Environment.GetEnvironmentVariable("SEGCLUSTER_GIT_COMMIT") ?? "unknown",
            machine = Environment.MachineName,
            dataDigest,
            weightsDigest,
            torch = TorchRuntime.Describe(),
            dotnet = Environment.Version.ToString(),
        });
        await results.CreateRunAsync(config.RunId, json, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json))), provenance,
            config.Folds.Select(f => (f, config.Iterations)).ToList(), group);
        state.State.Config = config;
        state.State.Folds = config.Folds.ToDictionary(f => f, f => new FoldStatus(f, FoldState.Queued, 0, config.Iterations, 0, 0, 0, 0, 0, null, null, null));
        await state.WriteWithRetryAsync();
        await this.RegisterOrUpdateReminder(WatchReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await Task.WhenAll(config.Folds.Select(f => Fold(f).StartAsync(config, f)));
        StartWatching();
    }

    /// <summary>
    /// Reads the data before anything is recorded, so a bad file or a class without images is refused at launch
    /// rather than failing a fold hours later. The scan runs off the scheduler; its result is cached for the folds.
    /// </summary>
    /// <returns>Digests of the data catalog and of the ImageNet weights file (the --weights file or the served ResNet18; null for none), for the provenance.</returns>
    private async Task<(string Data, string? Weights)> CheckDataAsync(RunConfig config)
    {
        try
        {
            return await Task.Run(() =>
            {
                foreach (var fold in config.Folds) data.Split(config, fold).CheckClassCoverage(config.Shots.Max());
                var training = FoldSetup.Training(config, config.Folds[0]);
                var preset = training.ResolvedPreset;   // reads a ResNet .pth's layout: a file that cannot fit is refused here
                string? weights = null;
                if (ModelWeights.StartingWeights(preset, config.ImageNetWeights, config.FromScratch) is { } path)
                {
                    if (!File.Exists(path)) throw new DataFileException(path, "ImageNet weights not found");
                    using var file = File.OpenRead(path);
                    weights = Convert.ToHexString(SHA256.HashData(file)).ToLowerInvariant();
                    if (path == OnnxResNet.ModelPath && weights != OnnxResNet.Sha256)
                        throw new DataFileException(path, $"SHA-256 {weights}, not the served package's {OnnxResNet.Sha256}");
                }
                return (data.Catalog(config).Digest(), weights);
            });
        }
        catch (DataFileException e)
        {
            throw new ArgumentException($"data: {e.Message}");
        }
    }

    public Task<RunStatus> GetStatusAsync() => Task.FromResult(Status());

    private RunStatus Status() => new(
        this.GetPrimaryKeyString(), state.State.Config is null ? RunState.Unknown : state.State.State,
        state.State.Folds.Values.OrderBy(f => f.Fold).ToList(), FirstError());

    public Task SubscribeAsync(IRunObserver observer)
    {
        observers.Subscribe(observer, observer);
        // The new subscriber sees the current state at once, not at the next refresh.
        observer.OnStatus(Status());
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IRunObserver observer)
    {
        observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    private void Publish()
    {
        var status = Status();
        observers.Notify(o => o.OnStatus(status));
    }

    public async Task CancelAsync()
    {
        if (state.State.State != RunState.Running) return;
        await Task.WhenAll(state.State.Folds.Keys.Select(f => Fold(f).CancelAsync()));
        await CompleteAsync(RunState.Cancelled);
    }

    public async Task FoldFinishedAsync(FoldStatus status)
    {
        state.State.Folds[status.Fold] = status;
        await state.WriteWithRetryAsync();
        await CompleteIfAllFinishedAsync();
    }

    private async Task CompleteIfAllFinishedAsync()
    {
        if (state.State.State == RunState.Running && state.State.Folds.Values.All(f => f.IsFinished))
            await CompleteAsync(state.State.Folds.Values.Any(f => f.State == FoldState.Failed) ? RunState.Failed : RunState.Done);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.State == RunState.Running) StartWatching();
        else return UnregisterAsync();
        return Task.CompletedTask;
    }

    private void StartWatching()
    {
        watch ??= this.RegisterGrainTimer(PollFoldsAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
    }

    /// <summary>Asks every unfinished fold for its status; a fold whose silo died is re-activated by the call.</summary>
    private async Task PollFoldsAsync(CancellationToken cancellationToken)
    {
        foreach (var fold in state.State.Folds.Values.Where(f => !f.IsFinished).Select(f => f.Fold).ToList())
        {
            try
            {
                var status = await Fold(fold).GetStatusAsync();
                if (!state.State.Folds[fold].IsFinished) state.State.Folds[fold] = status;
                if (status.IsFinished) await FoldFinishedAsync(status);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("polling fold {Fold} of {Run}: {Message}", fold, this.GetPrimaryKeyString(), e.Message);
            }
        }
        // Every fold may be finished in memory while the run's completion failed to be stored (the database was
        // down longer than the retries): it is tried again on each poll, not left running for good.
        try { await CompleteIfAllFinishedAsync(); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("completing {Run}: {Message}", this.GetPrimaryKeyString(), e.Message);
        }
        Publish();
    }

    private async Task CompleteAsync(RunState final)
    {
        var previous = state.State.State;
        state.State.State = final;
        try { await state.WriteWithRetryAsync(); }
        catch
        {
            state.State.State = previous;   // still running, so the next poll tries the completion again
            throw;
        }
        Publish();
        await results.SetRunStatusAsync(this.GetPrimaryKeyString(), final.Name(), FirstError());
        watch?.Dispose();
        watch = null;
        await UnregisterAsync();
    }

    private async Task UnregisterAsync()
    {
        if (await this.GetReminder(WatchReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }

    private string? FirstError() => state.State.Folds.Values.OrderBy(f => f.Fold).FirstOrDefault(f => f.Error is not null)?.Error;

    private IFoldGrain Fold(int fold) => GrainFactory.GetGrain<IFoldGrain>($"{this.GetPrimaryKeyString()}/{fold}");
}
