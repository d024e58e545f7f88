namespace SegCluster.Contracts;

/// <summary>Answers on whichever silo receives the call; used by health checks, the demo and the dashboard.</summary>
public interface ISiloInfoGrain : IGrainWithIntegerKey
{
    /// <summary>Describes the answering silo, after running a small torch computation there.</summary>
    Task<SiloDescription> DescribeAsync();
}
