using SegCluster.Learning;
using SegCluster.Experiment;

namespace SegCluster.Bench.Reliability;

public enum FaultKind { KillTrainingSilo, KillScoringSilo, StopDatabase, RestartCli, RestartDashboard, LateSilo }

/// <summary>One injected fault.</summary>
/// <param name="At">The share of the run's progress (training is the first half, scoring the second) at which it strikes.</param>
/// <param name="Seconds">How long the database stays down, or a killed process before it is started again.</param>
public sealed record Fault(int Index, FaultKind Kind, double At, int Seconds);

/// <summary>A seeded list of faults, in the order they strike.</summary>
public static class FaultSchedule
{
    /// <summary>The faults that broke runs before: a training silo and a scoring silo killed in one run, and the database.</summary>
    private static readonly FaultKind[] First = [FaultKind.KillTrainingSilo, FaultKind.KillScoringSilo, FaultKind.StopDatabase];

    /// <summary>
    /// <paramref name="count"/> faults drawn from <paramref name="seed"/>: the three of <see cref="First"/>, then the other
    /// kinds once each, then any kind but a late silo (one silo can start late only once), each at a point of the run
    /// where that kind can strike.
    /// </summary>
    public static IReadOnlyList<Fault> Draw(int count, ulong seed, bool withDashboard)
    {
        var random = SeededRandom.Derive(seed, "soak-faults");
        List<FaultKind> Shuffled(IEnumerable<FaultKind> kinds)
        {
            var list = kinds.ToList();
            for (var i = list.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (list[i], list[j]) = (list[j], list[i]);
            }
            return list;
        }
        var available = Enum.GetValues<FaultKind>().Where(k => withDashboard || k != FaultKind.RestartDashboard).ToList();
        var kinds = Shuffled(First).Concat(Shuffled(available.Except(First))).ToList();
        var repeatable = available.Where(k => k != FaultKind.LateSilo).ToList();
        while (kinds.Count < count) kinds.Add(repeatable[random.Next(repeatable.Count)]);
        return kinds.Take(count)
            .Select(kind =>
            {
                var (low, high) = Window(kind);
                return new Fault(0, kind, low + (high - low) * random.NextDouble(), 2 + random.Next(5));
            })
            .OrderBy(f => f.At).Select((f, i) => f with { Index = i }).ToList();
    }

    /// <summary>Where in the run a kind can strike: training faults in the first half, scoring faults in the second.</summary>
    private static (double Low, double High) Window(FaultKind kind) => kind switch
    {
        FaultKind.KillTrainingSilo => (0.1, 0.4),
        FaultKind.KillScoringSilo => (0.55, 0.8),
        FaultKind.LateSilo => (0.02, 0.3),
        _ => (0.05, 0.85),
    };
}
