using SegCluster.Contracts;
namespace SegCluster.Grains.Tests;

/// <summary>
/// Silos stopped (SIGTERM) while a fold trains leave the cluster gracefully: every row of the membership table is
/// dead, so a client connecting to the next cluster on the same database is never sent to their gateways.
/// (Own cluster: it stops it.)
/// </summary>
public sealed class ClusterShutdownTests(ClusterShutdownTests.Fixture cluster) : IClassFixture<ClusterShutdownTests.Fixture>
{
    public sealed class Fixture : LocalClusterFixture
    {
        protected override int SiloCount => 2;
    }

    [Fact]
    public async Task Silos_stopped_while_training_are_marked_dead_in_the_membership_table()
    {
        var run = cluster.SmallRun("stopped", [0, 1], iterations: 5000);
        await cluster.StartAsync(run);
        await cluster.WaitAsync(run.RunId, TimeSpan.FromMinutes(3), s => s.Folds.All(f => f.State == FoldState.Training && f.Iteration > 0));

        await cluster.Client.DisposeAsync();
        await cluster.Cluster.DisposeAsync();

        Assert.Equal(2, await cluster.ScalarAsync("SELECT count(*) FROM OrleansMembershipTable"));
        Assert.Equal(0, await cluster.ScalarAsync("SELECT count(*) FROM OrleansMembershipTable WHERE Status <> 6"));
    }
}
