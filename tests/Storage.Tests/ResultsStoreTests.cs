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

    [Fact]
    public async Task Seen_class_batches_are_kept_apart_from_the_held_out_classes()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var store = new ResultsStore(database.ConnectionString);
        await store.CreateRunAsync("r", "{}", "h", "{}", [(0, 100)]);
        var unseen = new BatchKey("r", 0, "oslsm", 1, 0);
        var seen = unseen with { ClassSet = "seen" };
        var sample = new GallerySampleRow(6, "q", ["s"], 0.5, [1, 2, 3]);
        Assert.True(await store.SaveBatchAsync(new BatchRow(unseen, [new(1, 2, 10, 5, 5, 80)], [0.1, 0.3], "silo")));
        Assert.True(await store.SaveBatchAsync(new BatchRow(seen, [new(6, 3, 20, 1, 1, 78)], [0.2, 0.2, 0.2], "silo", [sample])));   // the same batch number
        Assert.False(await store.SaveBatchAsync(new BatchRow(seen, [new(6, 3, 20, 1, 1, 78)], [0.2, 0.2, 0.2], "silo")));   // a retry

        Assert.Equal(6, (await store.ReadBatchAsync(seen))!.Classes.Single().ClassId);
        Assert.Equal(1, (await store.ReadBatchAsync(unseen))!.Classes.Single().ClassId);
        Assert.Equal([("unseen", 1), ("seen", 6)], (await store.ReadBatchClassCountsAsync("r")).Select(b => (b.ClassSet, b.Counts.ClassId)).OrderByDescending(p => p.ClassSet));
        // What the paper's tables read holds the held-out classes only.
        Assert.Equal([1], (await store.ReadClassTotalsAsync("r")).Select(t => t.ClassId));
        Assert.Equal(2, (await store.ReadTimingsAsync("r")).Single().Episodes);
        Assert.Equal(1, (await store.ReadBatchTallyAsync("r")).Single().Batches);
        Assert.Empty(await store.ReadGalleryAsync("r"));
    }
}
