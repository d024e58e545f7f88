namespace SegCluster.Client;

/// <summary>No silo answered through the membership table within the time a command waits for one.</summary>
public sealed class ClusterUnavailableException(TimeSpan waited, Exception last) : InvalidOperationException(
    $"no silo is reachable: none answered through the cluster's membership table in {waited.TotalSeconds:0} s " +
    $"({FirstLine(last.Message)}); start silos with `./segcluster silo` (a local cluster: `./segcluster demo`; " +
    "Kubernetes: `kubectl -n segcluster get pods`)", last)
{
    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim().TrimEnd('.');
}
