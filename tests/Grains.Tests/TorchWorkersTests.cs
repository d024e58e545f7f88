namespace SegCluster.Grains.Tests;

/// <summary>The silo's torch workers: reused one after another, one per item at once, failures reach the caller.</summary>
public sealed class TorchWorkersTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Items_one_after_another_reuse_one_thread()
    {
        using var workers = new TorchWorkers();
        var threads = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            threads.Add(await workers.RunAsync(() => Environment.CurrentManagedThreadId).WaitAsync(Limit));
            // The worker counts itself idle just after completing the item: wait for that before queueing the next.
            await WaitUntilAsync(() => workers.Idle == 1);
        }
        Assert.Single(threads.Distinct());
        Assert.Equal(1, workers.Threads);
    }

    [Fact]
    public async Task Items_at_once_each_get_their_own_thread_and_none_waits_behind_another()
    {
        using var workers = new TorchWorkers();
        const int items = 4;
        // Every item blocks until all have started: one waiting behind another would time the barrier out.
        using var barrier = new Barrier(items);
        var running = Enumerable.Range(0, items).Select(_ => workers.RunAsync(() =>
        {
            if (!barrier.SignalAndWait(Limit)) throw new TimeoutException("an item waited behind another");
            return Environment.CurrentManagedThreadId;
        })).ToList();
        var threads = await Task.WhenAll(running).WaitAsync(Limit);
        Assert.Equal(items, threads.Distinct().Count());
        Assert.Equal(items, workers.Threads);

        // Once they are idle, the same number of items again runs on the same threads.
        await WaitUntilAsync(() => workers.Idle == items);
        using var again = new Barrier(items);
        var second = await Task.WhenAll(Enumerable.Range(0, items).Select(_ => workers.RunAsync(() =>
        {
            if (!again.SignalAndWait(Limit)) throw new TimeoutException("an item waited behind another");
            return Environment.CurrentManagedThreadId;
        }))).WaitAsync(Limit);
        Assert.Equal(threads.Order(), second.Order());
        Assert.Equal(items, workers.Threads);
    }

    [Fact]
    public async Task A_failing_item_fails_its_task_and_the_worker_goes_on()
    {
        using var workers = new TorchWorkers();
        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => workers.RunAsync<int>(() => throw new InvalidDataException("bad batch")).WaitAsync(Limit));
        Assert.Equal("bad batch", failure.Message);
        await WaitUntilAsync(() => workers.Idle == 1);
        Assert.Equal(42, await workers.RunAsync(() => 42).WaitAsync(Limit));
        Assert.Equal(1, workers.Threads);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Limit);
        while (!condition()) await Task.Delay(5, timeout.Token);
    }
}
