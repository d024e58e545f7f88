using System.Collections.Concurrent;
using SegCluster.Learning.Data;

namespace SegCluster.Learning.Training;

/// <summary>One training episode decoded and resized, ready to become tensors on the training thread.</summary>
public sealed record PreparedEpisode(Episode Episode, float[] Query, float[] Supports, byte[] Target, ulong[] SamplerStateAfter);

/// <summary>
/// Samples and decodes training episodes on a background thread, a few ahead of the training loop, so that
/// image decoding never stalls training. Episodes come out in sampling order; each carries the sampler state
/// after it, which is what a checkpoint taken after training on it must record.
/// </summary>
public sealed class EpisodeLoader : IDisposable
{
    private readonly BlockingCollection<PreparedEpisode> queue;
    private readonly CancellationTokenSource stop = new();
    private readonly Task worker;

    public EpisodeLoader(EpisodeSampler sampler, IReadOnlyDictionary<string, AnnotatedImage> images, int querySize, int supportSize, int capacity = 8)
    {
        queue = new BlockingCollection<PreparedEpisode>(capacity);
        worker = Task.Factory.StartNew(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var episode = sampler.Next();
                    var state = sampler.Random.State;
                    queue.Add(Prepare(episode, state, images, querySize, supportSize), stop.Token);
                }
            }
            catch (OperationCanceledException) { }
            finally { queue.CompleteAdding(); }
        }, TaskCreationOptions.LongRunning);
    }

    /// <summary>The next episode; rethrows a loader failure (e.g. an unreadable file) with its message.</summary>
    public PreparedEpisode Take(CancellationToken cancellationToken)
    {
        if (queue.TryTake(out var item, Timeout.Infinite, cancellationToken)) return item;
        worker.GetAwaiter().GetResult();
        throw new InvalidOperationException("episode loader stopped");
    }

    public static PreparedEpisode Prepare(Episode episode, ulong[] samplerState, IReadOnlyDictionary<string, AnnotatedImage> images, int querySize, int supportSize)
    {
        var query = images[episode.QueryId];
        using var queryImage = ImageFiles.ReadRgb(query.Record.ImagePath);
        var target = EpisodeTensors.Binary(query.Record.ReadMask(), episode.ClassId, querySize);
        var plane = 3 * supportSize * supportSize;
        var supports = new float[episode.Shots * plane];
        for (var i = 0; i < episode.Shots; i++)
        {
            var support = images[episode.SupportIds[i]];
            using var supportImage = ImageFiles.ReadRgb(support.Record.ImagePath);
            EpisodeTensors.ImageArray(supportImage, supportSize, support.Record.ReadMask(), episode.ClassId).CopyTo(supports, i * plane);
        }
        return new PreparedEpisode(episode, EpisodeTensors.ImageArray(queryImage, querySize), supports, target, samplerState);
    }

    public void Dispose()
    {
        stop.Cancel();
        try { worker.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        queue.Dispose();
        stop.Dispose();
    }
}
