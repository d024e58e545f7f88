namespace SegCluster.Dashboard;

/// <summary>
/// Dashboard:AdminSecret (sign-in for launching and cancelling; required beyond loopback) and Dashboard:DataRoots
/// (';'-separated folders that launched runs may read; every path in the launch form must lie under one).
/// </summary>
public sealed record DashboardSettings(string? AdminSecret, IReadOnlyList<string> DataRoots)
{
    public bool CanSignIn => !string.IsNullOrEmpty(AdminSecret);

    public static DashboardSettings From(IConfiguration configuration) => new(
        string.IsNullOrWhiteSpace(configuration["Dashboard:AdminSecret"]) ? null : configuration["Dashboard:AdminSecret"],
        (configuration["Dashboard:DataRoots"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Path.GetFullPath).ToList());
}
