using SegCluster.Storage;

namespace SegCluster.Grains;

/// <summary>Grain state writes ride out a PostgreSQL outage like every other write (Orleans' ADO.NET storage does not retry).</summary>
public static class PersistentStateRetry
{
    public static Task WriteWithRetryAsync<T>(this IPersistentState<T> state) =>
        DatabaseRetry.RunAsync(_ => state.WriteStateAsync(), CancellationToken.None);
}
