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
        Assert.Equal((1e-10, 0.99, 0.1, Optimizer.Sgd, LossReduction.Sum), (paper.LearningRate, paper.Momentum, paper.ConditioningLearningRateMultiplier, paper.Optimizer, paper.Loss));
        Assert.Equal((1000, 0.5, InferencePrecision.Float32), (paper.Episodes, paper.Threshold, paper.InferencePrecision));
    }

    [Fact]
    public void Every_setting_reads_back_what_it_writes_as_text()
    {
        var config = RunSettings.Demo("demo-1", "/data/VOCdevkit", "/data/benchmark_RELEASE", 600, 100) with { ImageNetWeights = "/w.pth" };
        var copy = RunSettings.All.Aggregate(RunSettings.Unresolved, (c, s) => s.Parse(c, s.Format(config)));
        Assert.Equal(JsonSerializer.Serialize(config), JsonSerializer.Serialize(RunSettings.Resolve(copy)));
    }

    [Fact]
    public void Methods_optimizer_loss_precision_and_states_are_written_and_read_by_name()
    {
        var json = JsonSerializer.Serialize(RunSettings.Demo("demo-1", "/v", "/s", 600, 100) with { InferencePrecision = InferencePrecision.BFloat16 });
        foreach (var name in new[] { "\"oslsm\",\"1-nn\",\"logreg\"", "\"Loss\":\"mean\"", "\"Optimizer\":\"adam\"", "\"InferencePrecision\":\"bf16\"" })
            Assert.Contains(name, json);
        Assert.Equal(json, JsonSerializer.Serialize(JsonSerializer.Deserialize<RunConfig>(json)));
        Assert.Equal("\"training-base\"", JsonSerializer.Serialize(FoldState.TrainingBase));
        AssertNamed<Method>(); AssertNamed<Optimizer>(); AssertNamed<LossReduction>(); AssertNamed<InferencePrecision>(); AssertNamed<RunState>(); AssertNamed<FoldState>();

        static void AssertNamed<T>() where T : struct, Enum
        {
            Assert.Equal(Enum.GetValues<T>().Length, Names.Of<T>().Distinct().Count());
            Assert.All(Enum.GetValues<T>(), v => Assert.Equal(v, Names.Parse<T>(v.Name())));
        }
    }

    [Fact]
    public void Every_method_has_a_catalog_entry() =>
        Assert.Equal(Enum.GetValues<Method>(), MethodCatalog.All.Select(m => m.Method));

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
        var stored = RunSettings.PaperProtocol with { SiameseSupportSampling = 0, EpisodesPerStep = 0, BiasLearningRateMultiplier = 0 };
        var upgraded = RunSettings.Upgrade(stored);
        Assert.Equal((1.0, 1, 1.0, 0.0), (upgraded.SiameseSupportSampling, upgraded.EpisodesPerStep, upgraded.BiasLearningRateMultiplier, upgraded.WeightDecay));
        Assert.Equal(JsonSerializer.Serialize(RunSettings.PaperProtocol), JsonSerializer.Serialize(RunSettings.Upgrade(RunSettings.PaperProtocol)));
    }

    [Theory]
    [InlineData("folds", "0,x", "'x' is not an integer")]
    [InlineData("seed", "-3", "a non-negative integer")]
    [InlineData("loss", "median", "'median' is not one of sum, mean")]
    [InlineData("methods", "oslsm,2-nn", "'2-nn' is not one of oslsm, 1-nn, logreg, finetune, siamese, co-segmentation, all-foreground, copy-support-mask, oslsm-mean-logits, oslsm-mean-parameters, oslsm-other-class")]
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
        var problems = RunSettings.Problems(config with { Methods = [Method.FineTuning, Method.Siamese], Shots = [1] }, paths);
        Assert.Contains("fineTuneIterations: 1..100000", problems);
        Assert.Contains("siameseSupportSampling: a share in (0, 1]", problems);
    }
}
