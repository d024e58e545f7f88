using SegCluster.Client;
using System.Collections.Concurrent;
using SegCluster.Contracts;
using SegCluster.Cli.Commands;
using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Dashboard.Tests;

/// <summary>
/// Two runs launched at once on a four-silo cluster while twenty dashboard clients poll its pages and one client
/// follows a run by push: both complete with the counts a run of the same seed gets alone, every page answers, and
/// the dashboard's managed heap does not grow with the requests.
/// </summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Two_concurrent_runs_and_twenty_dashboard_clients_all_complete_correctly()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var cluster = await ClusterUnderTest.StartAsync(database.ConnectionString, 4);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var url = cluster.Url;
        var client = cluster.Client;
        RunConfig Run(string id, int[] folds) => cluster.SmallRun(id, folds, iterations: 300, episodes: 28);
        var a = Run("together-a", [0, 1]);
        var b = Run("together-b", [1, 2]);
        await Task.WhenAll(cluster.StartAsync(a, timeout.Token), cluster.StartAsync(b, timeout.Token));

        // One follower by push, twenty pollers of the runs page, a run page and a Table 1 page.
        var pushed = new List<RunStatus>();
        var follower = Task.Run(async () =>
        {
            await foreach (var status in new RunClient(client).WatchAsync(a.RunId, timeout.Token))
            {
                pushed.Add(status);
                if (status.IsFinished) break;
            }
        });
        var answered = new ConcurrentBag<int>();
        var memory = new ConcurrentBag<long>();
        using var stopPolling = new CancellationTokenSource();
        var pollers = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            string[] pages = ["/", $"/runs/{a.RunId}", $"/runs/{b.RunId}/table1"];
            for (var n = 0; !stopPolling.IsCancellationRequested; n++)
            {
                answered.Add((int)(await http.GetAsync(pages[(i + n) % pages.Length], timeout.Token)).StatusCode);
                if (i == 0 && n % 20 == 0) memory.Add(GC.GetTotalMemory(forceFullCollection: true));
            }
        })).ToList();

        await follower;
        var statusB = await cluster.WaitAsync(b.RunId, s => s.IsFinished, timeout.Token);
        stopPolling.Cancel();
        await Task.WhenAll(pollers);

        Assert.Equal(RunState.Done, pushed[^1].State);
        Assert.Contains(pushed, s => s.Folds.Any(f => f.State == FoldState.Training));
        Assert.Equal(RunState.Done, statusB.State);
        Assert.True(answered.Count > 100, $"{answered.Count} requests answered");
        Assert.All(answered, code => Assert.Equal(200, code));
        // The heap after the last requests stays near where it was after the first ones.
        var samples = memory.Order().ToList();
        Assert.True(samples[^1] < 2 * samples[0] + (64L << 20), $"managed heap grew from {samples[0] >> 20} MiB to {samples[^1] >> 20} MiB");
        cluster.Silos.ThrowIfAnyExited();

        // Correct: each run's counts equal those of the same config run alone afterwards.
        var store = new ResultsStore(database.ConnectionString);
        foreach (var config in new[] { a, b })
        {
            var alone = config with { RunId = config.RunId + "-alone" };
            await cluster.StartAsync(alone, timeout.Token);
            Assert.Equal(RunState.Done, (await cluster.WaitAsync(alone.RunId, s => s.IsFinished, timeout.Token)).State);
            var together = await store.ReadClassTotalsAsync(config.RunId);
            Assert.Equal(config.Folds.Length * 2 * 5, together.Count);   // folds x methods x classes
            Assert.Equal(await store.ReadClassTotalsAsync(alone.RunId), together);
        }
    }
}
