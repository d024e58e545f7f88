using System.Reflection;
using System.Text.Json;
using SegCluster.Contracts;

namespace SegCluster.Experiment.Tests;

/// <summary>The run settings' descriptions: one per RunConfig member, their defaults the paper's protocol, their parsers and rules.</summary>
public sealed class RunSettingsTests
{
    [Fact]
    public void Every_config_member_is_described_once_with_its_own_flag()
    {
        var members = typeof(RunConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).Order();
        Assert.Equal(members, RunSettings.All.Select(s => s.Key).Order());
        Assert.Equal(RunSettings.All.Count, RunSettings.All.Select(s => s.Flag).Distinct().Count());
        Assert.All(RunSettings.All, s => Assert.False(string.IsNullOrWhiteSpace(s.Help), s.Key));
    }

    [Fact]
    public void The_defaults_are_the_papers_protocol()
    {
        var paper = RunSettings.PaperProtocol;
        Assert.Equal([0, 1, 2, 3], paper.Folds);
        Assert.Equal([1, 5], paper.Shots);
        Assert.Equal(("vgg16-fcn32s", 500, 224), (paper.Preset, paper.QuerySize, paper.SupportSize));
        Assert.Equal((60000, 60000, 60000), (paper.Iterations, paper.BaseIterations, paper.SiameseIterations));
        Assert.Equal((1e-10, 0.99, 0.1, "sgd", false), (paper.LearningRate, paper.Momentum, paper.ConditioningLearningRateMultiplier, paper.Optimizer, paper.MeanLoss));
        Assert.Equal((1000, 0.5, "fp32"), (paper.Episodes, paper.Threshold, paper.InferencePrecision));
    }

    [Fact]
    public void Every_setting_reads_back_what_it_writes_as_text()
    {
        var config = RunSettings.Demo("demo-1", "/data/VOCdevkit", "/data/benchmark_RELEASE", 600, 100) with { ImageNetWeights = "/w.pth" };
        var copy = RunSettings.All.Aggregate(RunSettings.Unresolved, (c, s) => s.Parse(c, s.Format(config)));
        Assert.Equal(JsonSerializer.Serialize(config), JsonSerializer.Serialize(RunSettings.Resolve(copy)));
    }

    [Fact]
    public void Derived_settings_left_unset_follow_the_preset_and_the_iterations()
    {
        var config = RunSettings.Resolve(RunSettings.Preset.Parse(RunSettings.Iterations.Parse(RunSettings.Unresolved, "300"), "tiny"));
        Assert.Equal((OslsmPreset.Tiny.QuerySize, OslsmPreset.Tiny.SupportSize), (config.QuerySize, config.SupportSize));
        Assert.Equal((300, 300), (config.BaseIterations, config.SiameseIterations));
        var given = RunSettings.Resolve(RunSettings.QuerySize.Parse(RunSettings.Unresolved, "96"));
        Assert.Equal((96, OslsmPreset.Vgg16Fcn32s.SupportSize), (given.QuerySize, given.SupportSize));
    }

    [Fact]
    public void A_config_stored_before_a_setting_existed_runs_as_it_ran()
    {
        var stored = RunSettings.PaperProtocol with { InferencePrecision = null, SiameseSupportSampling = 0 };
        var upgraded = RunSettings.Upgrade(stored);
        Assert.Equal(("fp32", 1.0), (upgraded.InferencePrecision, upgraded.SiameseSupportSampling));
        Assert.Equal(JsonSerializer.Serialize(RunSettings.PaperProtocol), JsonSerializer.Serialize(RunSettings.Upgrade(RunSettings.PaperProtocol)));
    }

    [Theory]
    [InlineData("folds", "0,x", "'x' is not an integer")]
    [InlineData("seed", "-3", "a non-negative integer")]
    [InlineData("loss", "median", "sum or mean")]
    [InlineData("lr", "fast", "'fast' is not a number")]
    public void A_malformed_value_is_refused_with_the_reason(string flag, string text, string reason)
    {
        var setting = RunSettings.All.Single(s => s.Flag == flag);
        var error = Assert.Throws<RunSettingException>(() => setting.Parse(RunSettings.Unresolved, text));
        Assert.Equal(reason, error.Reason);
        Assert.StartsWith(setting.Name + ": ", error.Message);
    }

    [Fact]
    public void Rules_that_concern_one_method_apply_only_when_the_run_has_it()
    {
        var paths = new PathPolicy([], CheckExists: false);
        var config = RunSettings.PaperProtocol with { RunId = "r", Voc = "/v", FineTuneIterations = 0, SiameseSupportSampling = 2 };
        Assert.Empty(RunSettings.Problems(config, paths));
        var problems = RunSettings.Problems(config with { Methods = ["finetune", "siamese"], Shots = [1] }, paths);
        Assert.Contains("fineTuneIterations: 1..100000", problems);
        Assert.Contains("siameseSupportSampling: a share in (0, 1]", problems);
    }
}
