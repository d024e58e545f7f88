using System.Collections.Concurrent;

namespace SegCluster.Grains;

/// <summary>
/// The silo's threads for torch work (training, scoring batches), kept and reused: long-running work must stay off the
/// .NET thread pool that Orleans schedules grains on, and a reused thread keeps its per-thread memory (glibc's arenas,
/// libtorch's and oneDNN's scratch buffers) warm (docs/decisions.md). There are as many threads as the most items the
/// silo ever ran at once; idle ones wait on the queue.
/// </summary>
public sealed class TorchWorkers : IDisposable
{
    private readonly BlockingCollection<Action> queue = [];
    private int idle;
    private int started;

    /// <summary>Runs <paramref name="work"/> on a worker thread with the silo's torch thread count applied.</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Add(() =>
        {
            try
            {
                Learning.TorchRuntime.ApplyToCurrentThread();
                result.SetResult(work());
            }
            catch (Exception e) { result.SetException(e); }
        });
        // Each queued item claims an idle worker or starts one, so items never wait behind each other.
        while (true)
        {
            var waiting = Volatile.Read(ref idle);
            if (waiting == 0)
            {
                var name = $"torch worker {Interlocked.Increment(ref started)}";
                new Thread(Work) { IsBackground = true, Name = name }.Start();
                break;
            }
            if (Interlocked.CompareExchange(ref idle, waiting - 1, waiting) == waiting) break;
        }
        return result.Task;
    }

    /// <summary>Threads started so far (the most items that ran at once).</summary>
    public int Threads => Volatile.Read(ref started);

    /// <summary>Workers waiting for an item and not yet claimed by one.</summary>
    public int Idle => Volatile.Read(ref idle);

    private void Work()
    {
        foreach (var item in queue.GetConsumingEnumerable())
        {
            item();
            Interlocked.Increment(ref idle);
        }
    }

    public void Dispose() => queue.CompleteAdding();
}
