using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Tests;

/// <summary>Weights and inputs written by PyTorch (python3-torch); the same forward pass must agree within 1e-4 relative, in both memory layouts.</summary>
public sealed class PyTorchParityTests
{
    [Theory]
    [InlineData("tiny", 64, 64, 5)]
    [InlineData("alexnet", 67, 70, 2)]
    [InlineData("vgg16-dilated8", 40, 32, 1)]
    [InlineData("vgg16-fcn32s", 64, 32, 2)]   // the real VGG-16 shapes (fc6 4096x512x7x7) at reduced input size
    public void Logits_match_pytorch(string presetName, int querySize, int supportSize, int shots)
    {
        var dir = Fixtures.TempDirectory();
        string weights = Path.Combine(dir, "w.pth"), inputs = Path.Combine(dir, "i.pth"), expected = Path.Combine(dir, "l.pth");
        PythonReference.Run("oslsm_reference.py", "write", presetName, "7", weights, inputs, expected,
            querySize.ToString(), supportSize.ToString(), shots.ToString());
        try
        {
            set_num_threads(1);
            using var network = new OslsmNetwork(OslsmPreset.Named(presetName), seed: 99, CPU);
            ModelWeights.LoadOslsm(network, weights);
            network.eval();
            using var scope = NewDisposeScope();
            var x = ModelWeights.ReadStateDict(inputs);
            Tensor logits;
            using (no_grad()) logits = network.call(x["query"], x["supports"]);
            var reference = ModelWeights.ReadStateDict(expected)["logits"];

            Assert.Equal(reference.shape, logits.shape);
            var relative = (logits - reference).abs().max().item<float>() / reference.abs().max().item<float>();
            Assert.True(relative <= 1e-4, $"max relative difference {relative}");

            // The scoring layout (OslsmSolver's) computes the same logits.
            network.UseChannelsLast();
            using (no_grad()) logits = network.call(x["query"], x["supports"]);
            relative = (logits - reference).abs().max().item<float>() / reference.abs().max().item<float>();
            Assert.True(relative <= 1e-4, $"channels-last: max relative difference {relative}");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void ImageNet_weights_fill_both_branches_and_fc6_becomes_a_convolution()
    {
        var dir = Fixtures.TempDirectory();
        var path = Path.Combine(dir, "imagenet.pth");
        PythonReference.Run("oslsm_reference.py", "imagenet", "tiny", "3", path);
        using var network = new OslsmNetwork(OslsmPreset.Tiny, seed: 1, CPU);
        ModelWeights.Initialise(network, network.Preset, path, fromScratch: false);
        var source = ModelWeights.ReadStateDict(path);
        var loaded = network.state_dict();
        Assert.True(loaded["segmentation.features.3.weight"].allclose(source["features.3.weight"], 0, 0));
        Assert.True(loaded["conditioning.classifier.6.bias"].allclose(source["classifier.6.bias"], 0, 0));
        Assert.True(loaded["segmentation.fc6.weight"].flatten(1).allclose(source["classifier.0.weight"], 0, 0));
        Assert.Equal([64L, 64, 1, 1], loaded["segmentation.fc7.weight"].shape);
    }

    [Fact]
    public void Weights_of_another_preset_are_refused_with_the_mismatches_listed()
    {
        var dir = Fixtures.TempDirectory();
        var path = Path.Combine(dir, "imagenet.pth");
        PythonReference.Run("oslsm_reference.py", "imagenet", "tiny", "3", path);
        using var network = new OslsmNetwork(OslsmPreset.AlexNet, seed: 1, CPU);
        var error = Assert.Throws<DataFileException>(() => ModelWeights.Initialise(network, network.Preset, path, fromScratch: false));
        Assert.Equal(path, error.FilePath);
        Assert.Contains("wrong shape", error.Reason);
        Assert.Contains("features.0.weight", error.Reason);
    }

    [Fact]
    public void A_file_that_is_not_a_state_dict_is_refused()
    {
        var path = Path.Combine(Fixtures.TempDirectory(), "notes.pth");
        File.WriteAllText(path, "not a pickle");
        using var network = new OslsmNetwork(OslsmPreset.Tiny, seed: 1, CPU);
        Assert.Contains("state dict", Assert.Throws<DataFileException>(() => ModelWeights.LoadOslsm(network, path)).Reason);
    }
}
