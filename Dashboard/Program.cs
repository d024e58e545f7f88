using SegCluster.Dashboard;

try
{
    var app = DashboardApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
