namespace SegCluster.Contracts;

/// <summary>
/// The states of runs and folds, as stored and shown. A fold goes queued, then one training state per network
/// (Experiment's FoldPlan.PhaseOf), evaluating, and ends done, failed or cancelled; a run is running until it ends.
/// </summary>
public static class RunStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Evaluating = "evaluating";
    public const string Done = "done";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinished(string state) => state is Done or Failed or Cancelled;
}
