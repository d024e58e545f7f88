using Orleans.Storage;
using SegCluster.Storage;

namespace SegCluster.Grains;

/// <summary>Grain state writes ride out a PostgreSQL outage like every other write (Orleans' ADO.NET storage does not retry).</summary>
public static class PersistentStateRetry
{
    public static async Task WriteWithRetryAsync<T>(this IPersistentState<T> state)
    {
        try
        {
            await DatabaseRetry.RunAsync(_ => state.WriteStateAsync(), CancellationToken.None);
        }
        catch (Exception e) when (e is InconsistentStateException || e.InnerException is InconsistentStateException)
        {
            // A write stored just before the server stopped, its reply lost: the retry then meets the newer ETag (CI saw
            // a run stay "running" for good). The grain is its state's only writer, so its state in memory is the
            // truth: take the stored ETag and write again.
            var current = state.State;
            await DatabaseRetry.RunAsync(_ => state.ReadStateAsync(), CancellationToken.None);
            state.State = current;
            await DatabaseRetry.RunAsync(_ => state.WriteStateAsync(), CancellationToken.None);
        }
    }
}
