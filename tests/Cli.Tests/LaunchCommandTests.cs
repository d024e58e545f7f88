using SegCluster.Cli.Commands;
using SegCluster.Experiment;
using SegCluster.Tests;
namespace SegCluster.Cli.Tests;

/// <summary>
/// `segcluster launch` refuses a bad config before it looks for a cluster: exit code 1 and the reason; with no silo
/// up, it and `reproduce` say so in one line within their timeout.
/// </summary>
public sealed class LaunchCommandTests
{
    private static string Corpus(string file) => Path.Combine(AppContext.BaseDirectory, "corpus", "configs", file);

    [Theory]
    [InlineData("unknown-key.json", "unknown-key.json: unknown setting 'Foldz'")]
    [InlineData("folds-wrong-type.json", "folds-wrong-type.json: Folds: wrong type")]
    [InlineData("not-json.json", "not-json.json: not JSON")]
    [InlineData("fold-7.json", "folds: distinct values in 0..3")]
    [InlineData("long-run-id.json", "runId: 1..64 letters")]
    public async Task A_bad_config_file_is_refused_naming_the_file_or_field(string file, string expected)
    {
        var (exitCode, output) = await CliProcess.RunAsync(null, "launch", "--config", Corpus(file), "--voc", "/data/VOCdevkit");
        Assert.Equal(1, exitCode);
        Assert.Contains(expected, output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task Options_given_on_the_command_line_override_the_config_file_and_are_checked_too()
    {
        // The file's fold 7 is replaced by the option's 0; the option's shot count 0 is refused.
        var (exitCode, output) = await CliProcess.RunAsync(null, "launch", "--config", Corpus("fold-7.json"), "--folds", "0", "--shots", "0",
            "--voc", "/data/VOCdevkit");
        Assert.Equal(1, exitCode);
        Assert.Contains("shots: values in 1..20", output);
        Assert.DoesNotContain("folds:", output);
    }

    [Theory]
    [InlineData("launch")]
    [InlineData("reproduce")]
    public async Task With_no_silo_up_a_command_that_needs_the_cluster_says_so_in_one_line_within_its_timeout(string command)
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var data = Directory.CreateTempSubdirectory("segcluster-no-silo-").FullName;
        var weights = Path.Combine(data, "vgg16.pth");
        await File.WriteAllTextAsync(weights, "");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string[] args = command == "launch"
            ? ["launch", "--voc", data, "--connect-timeout", "3"]
            : ["reproduce", "--voc", data, "--sbd", data, "--weights", weights, "--device", "any", "--connect-timeout", "3"];
        var (exitCode, output) = await CliProcess.RunAsync(database.ConnectionString, args);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: no silo is reachable: none answered through the cluster's membership table in 3 s", line);
        Assert.Contains("./segcluster silo", line);
        Assert.DoesNotContain("   at ", output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("launch")]
    [InlineData("reproduce")]
    public void Each_run_setting_is_one_option_whose_help_comes_from_its_description(string name)
    {
        var command = SegClusterCli.Create().Subcommands.Single(c => c.Name == name);
        foreach (var setting in RunSettings.All)
        {
            var option = Assert.Single(command.Options, o => o.Name == "--" + setting.Flag);
            Assert.StartsWith(setting.Help, option.Description);
            Assert.Contains("(default: ", option.Description);
        }
    }

    [Fact]
    public void Reproduce_defaults_to_the_authors_training_filter_and_launch_to_the_papers_text()
    {
        string DefaultOf(string name) =>
            SegClusterCli.Create().Subcommands.Single(c => c.Name == name).Options.Single(o => o.Name == "--drop-small-objects").Description!;
        Assert.EndsWith("(default: true)", DefaultOf("reproduce"));
        Assert.EndsWith("(default: false)", DefaultOf("launch"));
    }

    [Fact]
    public void Reproduce_defaults_to_the_authors_solver_and_the_papers_text_is_one_option_away()
    {
        string DefaultOf(string command, string option) =>
            SegClusterCli.Create().Subcommands.Single(c => c.Name == command).Options.Single(o => o.Name == option).Description!;
        foreach (var (option, authors, paper) in new[] { ("--episodes-per-step", "10", "1"), ("--weight-decay", "0.0005", "0"), ("--bias-lr-mult", "2", "1") })
        {
            Assert.EndsWith($"(default: {authors})", DefaultOf("reproduce", option));
            Assert.EndsWith($"(default: {paper})", DefaultOf("launch", option));
        }
        var (authorsSolver, paperText) = (ReproduceCommand.DefaultsFor("authors"), ReproduceCommand.DefaultsFor("paper"));
        Assert.Equal((10, 5e-4, 2.0), (authorsSolver.EpisodesPerStep, authorsSolver.WeightDecay, authorsSolver.BiasLearningRateMultiplier));
        Assert.Equal((1, 0.0, 1.0), (paperText.EpisodesPerStep, paperText.WeightDecay, paperText.BiasLearningRateMultiplier));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(paperText with { EpisodesPerStep = 10, WeightDecay = 5e-4, BiasLearningRateMultiplier = 2 }),
            System.Text.Json.JsonSerializer.Serialize(authorsSolver));
        Assert.Contains("--solver", SegClusterCli.Create().Subcommands.Single(c => c.Name == "reproduce").Options.Select(o => o.Name));
    }
}
