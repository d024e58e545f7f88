using System.CommandLine;
using SegCluster.Client;
using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Grains;
using SegCluster.Storage;

namespace SegCluster.Cli.Commands;

/// <summary>
/// `segcluster reproduce`: the paper's protocol (vgg16-fcn32s, 60k iterations, folds 0..3, 1- and 5-shot, 1000
/// episodes, every method of Table 1) on real data, submitted to a running cluster. VOC, SBD and ImageNet weights
/// are required, and `--device cuda` refuses to start unless the cluster offers a CUDA slot per fold.
/// </summary>
public static class ReproduceCommand
{
    /// <summary>The paper's protocol with every method of Table 1, and where the authors' code differs from the text, the code.</summary>
    public static RunConfig Defaults => DefaultsFor("authors");

    /// <summary>
    /// The defaults with the authors' solver, or ("paper") the one the paper's text describes: one episode per update,
    /// no weight decay, one rate per branch. The training filter is the authors' either way, and every method is also
    /// scored on 1000 seen-class episodes per fold (the control).
    /// </summary>
    public static RunConfig DefaultsFor(string solver)
    {
        var paperText = RunSettings.Unresolved with { Methods = [.. MethodCatalog.PaperMethods], DropSmallObjects = true, SeenClassEpisodes = 1000 };
        return solver == "paper" ? paperText : RunSettings.WithAuthorsSolver(paperText);
    }

    public static Command Create()
    {
        var options = new RunOptions("reproduce", Defaults);
        var device = new Option<string>("--device") { Description = "cuda (refuse unless every fold gets a GPU) or any", DefaultValueFactory = _ => "cuda" };
        var json = new Option<FileInfo?>("--json") { Description = "write the results to this file" };
        var detach = new Option<bool>("--detach") { Description = "submit and return without following" };
        var connectTimeout = LaunchCommand.ConnectTimeoutOption();
        var solver = new Option<string>("--solver")
        {
            Description = "the defaults of --episodes-per-step, --weight-decay and --bias-lr-mult: authors (their Caffe solver: 10, 5e-4, 2) " +
                          "or paper (its text: 1, 0, 1) (default: authors)",
        };
        solver.AcceptOnlyFromAmong("authors", "paper");
        var longForm = ReportPrinter.LongOption();
        var command = new Command("reproduce", "Reproduce Table 1 and Table 2 on VOC 2012 + SBD with ImageNet VGG-16 weights") { device, json, detach, connectTimeout, solver, longForm };
        options.AddTo(command);
        command.SetAction(async (parse, cancel) =>
        {
            var config = options.Read(parse, DefaultsFor(parse.GetValue(solver) ?? "authors"));
            if (config.Sbd is null) throw new ArgumentException("--sbd: required (the paper trains on SBD and VOC)");
            if (config.ImageNetWeights is null) throw new ArgumentException("--weights: required (torchvision VGG-16 ImageNet state dict, vgg16-397923af.pth)");
            var connectionString = ClusterSettings.ConnectionString();
            if (parse.GetValue(device) is var wanted && wanted != "any")
            {
                var slots = await new DeviceSlots(connectionString).ActiveDevicesAsync(cancel);
                var matching = slots.Count(s => s.StartsWith(wanted + ":", StringComparison.Ordinal));
                if (matching == 0)
                    throw new InvalidOperationException(
                        $"--device {wanted}: no active silo offers a {wanted} slot (offered: {(slots.Count == 0 ? "none" : string.Join(", ", slots))}); " +
                        "start GPU silos (k8s/overlays/gpu) or pass --device any");
                if (matching < config.Folds.Length)
                    Console.Error.WriteLine($"note: {matching} {wanted} slot(s) for {config.Folds.Length} folds; the others wait for a free slot");
            }
            await using var client = await ClusterClientHost.ConnectWithRetryAsync(connectionString, cancel, TimeSpan.FromSeconds(parse.GetValue(connectTimeout)));
            return await LaunchCommand.RunAndReportAsync(client.Client, connectionString, config, parse.GetValue(options.TrainSeeds), parse.GetValue(json)?.FullName,
                "VOC 2012 + SBD, " + config.Preset, parse.GetValue(detach), parse.GetValue(longForm), cancel);
        });
        return command;
    }
}
