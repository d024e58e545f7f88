using System.Net.Sockets;
using Npgsql;
using Polly;
using Polly.Retry;

namespace SegCluster.Storage;

/// <summary>
/// Retries an operation while PostgreSQL is unreachable (restarting, failing over, a dropped connection): exponential
/// backoff with jitter, about 45 s in all, then the error surfaces. Every operation retried this way is idempotent
/// (keyed inserts, upserts, reads), so repeating one whose reply was lost changes nothing.
/// </summary>
public static class DatabaseRetry
{
    private static readonly ResiliencePipeline Pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            MaxRetryAttempts = 12,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(5),
        })
        .Build();

    public static Task RunAsync(Func<CancellationToken, Task> operation, CancellationToken cancellationToken) =>
        Pipeline.ExecuteAsync(async token => await operation(token), cancellationToken).AsTask();

    public static Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        Pipeline.ExecuteAsync(async token => await operation(token), cancellationToken).AsTask();

    /// <summary>
    /// A lost or refused connection, a server shutting down or starting up (SQLSTATE class 08, 57P01-57P03), or a
    /// timeout, anywhere in the exception's chain (Orleans' storage providers wrap the driver's exceptions).
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException p when p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState is "57P01" or "57P02" or "57P03":
                    return true;
                case PostgresException:
                    return false;   // a real error of the statement: retrying would repeat it
                case NpgsqlException { IsTransient: true } or SocketException or TimeoutException or IOException:
                    return true;
            }
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsTransient)) return true;
        }
        return false;
    }
}
