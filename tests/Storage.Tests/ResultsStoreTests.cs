using SegCluster.Tests;

namespace SegCluster.Storage.Tests;

public sealed class ResultsStoreTests
{
    [Fact]
    public async Task The_latest_recorded_checkpoint_is_per_fold_and_network()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var store = new ResultsStore(database.ConnectionString);
        await store.CreateRunAsync("r", "{}", "h", "{}", [(1, 100), (2, 100)]);

        Assert.Equal(0, await store.ReadLatestCheckpointIterationAsync("r", 1, "oslsm"));
        foreach (var iteration in new[] { 50, 100, 25 })
            await store.AddCheckpointAsync("r", 1, "oslsm", iteration, $"iter-{iteration}.ckpt", "00", 1);
        await store.AddCheckpointAsync("r", 1, "base-classifier", 200, "b.ckpt", "00", 1);
        await store.AddCheckpointAsync("r", 2, "oslsm", 300, "c.ckpt", "00", 1);

        Assert.Equal(100, await store.ReadLatestCheckpointIterationAsync("r", 1, "oslsm"));
        Assert.Equal(200, await store.ReadLatestCheckpointIterationAsync("r", 1, "base-classifier"));
        Assert.Equal(0, await store.ReadLatestCheckpointIterationAsync("other", 1, "oslsm"));
    }
}
