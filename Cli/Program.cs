using SegCluster.Learning.Data;
using SegCluster.Cli;
using SegCluster.Experiment;

// Logs and CI capture output without a terminal: give tables room instead of Spectre's 80-column default.
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 160;

// Bad input ends with one line naming the file or argument and the reason, and a non-zero exit code.
try
{
    return await SegClusterCli.Create().Parse(args).InvokeAsync(SegClusterCli.Invocation());
}
catch (Exception e) when (e is DataFileException or ArgumentException or InvalidOperationException or IOException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
catch (Exception e) when (e is OrleansException or TimeoutException)
{
    // The cluster went away mid-command (silos stopped): one line, as for bad input.
    Console.Error.WriteLine($"error: the cluster did not answer: {e.Message.Split('\n', 2)[0].Trim()}");
    return 1;
}
