using System.CommandLine;
using SegCluster.Learning.Data;
using SegCluster.Silo;

// Bad input ends with one line naming the file or argument and the reason, and a non-zero exit code.
try
{
    return await Cli.Create().Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is DataFileException or ArgumentException or InvalidOperationException or IOException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
