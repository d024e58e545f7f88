namespace SegCluster.Contracts;

/// <summary>A client following a run: the run grain pushes its status as it changes (CLI progress, dashboard).</summary>
public interface IRunObserver : IGrainObserver
{
    void OnStatus(RunStatus status);
}
