using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Evaluation.Baselines;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Tests;

/// <summary>The resnet18 presets: the served ImageNet weights in both branches and every baseline's trunk, torchvision .pth ResNets, frozen batch norm.</summary>
[Collection(nameof(TorchGlobalState))]
public sealed class ResNetPresetTests
{
    private static OslsmPreset Preset(string name, int size = 64) => OslsmPreset.Named(name) with { QuerySize = size, SupportSize = size };

    [Fact]
    public void The_served_weights_fill_both_branches_and_the_input_map_gives_the_packages_preprocessing()
    {
        var preset = Preset("resnet18-fcn32", 224);
        using var oslsm = new OslsmNetwork(preset, 1, CPU);
        ModelWeights.Initialise(oslsm, preset, null, fromScratch: false);
        var served = OnnxResNet.StateDict(OnnxResNet.ModelPath);
        var loaded = oslsm.state_dict();
        foreach (var name in new[] { "conv1.weight", "layer2.0.downsample.1.running_var", "layer4.2.conv2.weight" })
        {
            Assert.True(loaded["segmentation." + name].allclose(served[name], 0, 0), name);
            Assert.True(loaded["conditioning.features." + name].allclose(served[name], 0, 0), name);
        }
        // The length of w: 512 pooled support values hashed to the segmentation map's 512 channels and a bias.
        using (no_grad())
            Assert.Equal([2, 513], oslsm.Classifiers(zeros(2, 3, 64, 64)).shape);

        // Our normalised RGB through the input map equals the package's BGR 0..255 minus its channel means.
        using var network = new PixelClassifierNetwork(preset, 1, CPU);
        ModelWeights.Initialise(network, preset, null, fromScratch: false);
        network.eval();
        using var reference = new ResNetTrunk(ResNetTrunk.OnnxResNet18, dilated: false, CPU);
        OnnxResNet.Load(reference, OnnxResNet.ModelPath);
        reference.eval();
        using var mean = OnnxResNet.MeanImage(OnnxResNet.PreprocessPath);
        var photo = Directory.GetFiles(Path.Combine(Fixtures.Root, "voc-sample", "VOCdevkit", "VOC2012", "JPEGImages"), "*.jpg").Order().First();
        using var image = ImageFiles.ReadRgb(photo);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ours = network.Features(EpisodeTensors.Image(image, 224).unsqueeze(0));
        var rgb255 = EpisodeTensors.Image(image, 224).unsqueeze(0) * tensor(EpisodeTensors.Std).reshape(1, 3, 1, 1) * 255
                     + tensor(EpisodeTensors.Mean).reshape(1, 3, 1, 1) * 255;
        var expected = reference.call(rgb255.flip(1) - mean.mean([2, 3], keepdim: true));
        Assert.Equal([1, 512, 7, 7], ours.shape);
        var worst = (ours - expected).abs().max().item<float>();
        Assert.True(worst <= 1e-3 * Math.Max(1, expected.abs().max().item<float>()), $"max |difference| {worst:E2}");

        // Frozen batch norm: training mode changes nothing and its scale and shift do not train.
        var norms = network.named_parameters().Where(p => p.name.Contains("bn", StringComparison.Ordinal) || p.name.Contains("downsample.1", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(norms);
        Assert.All(norms, p => Assert.False(p.parameter.requires_grad, p.name));
        Assert.All(network.named_parameters().Where(p => p.name.EndsWith("conv1.weight", StringComparison.Ordinal)), p => Assert.True(p.parameter.requires_grad, p.name));
        network.train();
        Assert.True(network.Features(EpisodeTensors.Image(image, 224).unsqueeze(0)).allclose(ours, 0, 0));
    }

    [Fact]
    public void From_scratch_the_trunk_starts_from_the_seed_with_batch_statistics()
    {
        var preset = Preset("resnet18-dilated8");
        using var a = new OslsmNetwork(preset, 3, CPU);
        ModelWeights.Initialise(a, preset, null, fromScratch: true);
        using var b = new OslsmNetwork(preset, 3, CPU);
        var served = OnnxResNet.StateDict(OnnxResNet.ModelPath);
        Assert.True(a.state_dict()["segmentation.layer1.0.conv1.weight"].allclose(b.state_dict()["segmentation.layer1.0.conv1.weight"], 0, 0));
        Assert.False(a.state_dict()["segmentation.layer1.0.conv1.weight"].allclose(served["layer1.0.conv1.weight"], 0, 0));
        Assert.All(a.parameters(), p => Assert.True(p.requires_grad));
        Assert.Null(ModelWeights.StartingWeights(preset, null, fromScratch: true));
        Assert.Equal(OnnxResNet.ModelPath, ModelWeights.StartingWeights(preset, null, fromScratch: false));
    }

    [Fact]
    public void A_torchvision_resnet_loads_with_its_own_blocks_and_matches_pytorch()
    {
        var dir = Fixtures.TempDirectory();
        var weights = Path.Combine(dir, "resnet18.pth");
        var referencePath = Path.Combine(dir, "reference.pth");
        PythonReference.Run("resnet_reference.py", "2,2,2,2", weights, referencePath);
        var preset = ModelWeights.Layout(Preset("resnet18-fcn32"), weights, fromScratch: false);
        Assert.Equal([2, 2, 2, 2], preset.Blocks);
        using var network = new PixelClassifierNetwork(preset, 1, CPU);
        ModelWeights.Initialise(network, preset, weights, fromScratch: false);
        network.eval();
        var reference = ModelWeights.ReadStateDict(referencePath);
        using var _ = no_grad();
        var ours = network.Features(reference["input"]);
        var worst = (ours - reference["output"]).abs().max().item<float>();
        Assert.True(worst <= 1e-4, $"max |difference| {worst:E2}");

        var resnet34 = Path.Combine(dir, "resnet34.pth");
        PythonReference.Run("resnet_reference.py", "3,4,6,3", resnet34, Path.Combine(dir, "reference34.pth"));
        Assert.Equal([3, 4, 6, 3], ModelWeights.Layout(Preset("resnet18-dilated8"), resnet34, fromScratch: false).Blocks);

        var bottleneck = Path.Combine(dir, "resnet50.pth");
        PythonReference.Run("resnet_reference.py", "2,2,2,2", bottleneck, Path.Combine(dir, "reference50.pth"), "bottleneck");
        var error = Assert.Throws<DataFileException>(() => ModelWeights.Layout(Preset("resnet18-fcn32"), bottleneck, fromScratch: false));
        Assert.Equal(bottleneck, error.FilePath);
        Assert.Contains("Bottleneck", error.Reason);
        // A VGG state dict given to a ResNet preset names what is missing.
        using var vgg = new PixelClassifierNetwork(Preset("resnet18-fcn32") with { Blocks = [2, 2, 2, 2] }, 1, CPU);
        var vggPath = Path.Combine(dir, "vgg.pth");
        PythonReference.Run("oslsm_reference.py", "imagenet", "tiny", "3", vggPath);
        var mismatch = Assert.Throws<DataFileException>(() => ModelWeights.Initialise(vgg, vgg.Preset, vggPath, fromScratch: false));
        Assert.Contains("segmentation.conv1.weight", mismatch.Reason);
    }

    [Theory]
    [InlineData("resnet18-dilated8")]   // resnet18-fcn32 trains, resumes and scores in the default-device tripwire
    public void Every_network_trains_and_every_method_scores_on_the_preset(string name)
    {
        var layout = SyntheticPascal.Generate(Fixtures.TempDirectory(), new SyntheticPascal.Options(Images: 300, Size: 64, Seed: 5));
        var split = FoldSplit.Build(DataCatalog.Scan(layout.Sources), 1);
        var config = new FoldTrainingConfig(1, name, QuerySize: 64, SupportSize: 64, Iterations: 4, CheckpointEvery: 2, ProgressEvery: 2,
            Seed: 4, Training: TrainingOptions.TinyMeanLoss with { LearningRate = 1e-4 });
        var oslsmFinal = new OslsmFoldTraining(split, config, new CheckpointStore(Fixtures.TempDirectory()), CPU).Run(null, default);
        var baseFinal = new BaseClassifierFoldTraining(split, config, new CheckpointStore(Fixtures.TempDirectory()), CPU).Run(null, default);
        var siameseFinal = new SiameseFoldTraining(split, config, new CheckpointStore(Fixtures.TempDirectory()), CPU).Run(null, default);

        using var oslsm = new OslsmNetwork(config.ResolvedPreset, 0, CPU);
        CheckpointFile.LoadModel(oslsmFinal, oslsm);
        using var start = OslsmFoldTraining.CreateNetwork(config.ResolvedPreset, config, CPU);
        var trained = oslsm.state_dict();
        var initial = start.state_dict();
        // Convolutions trained from the ImageNet start; frozen batch norm kept the package's statistics and affine.
        Assert.False(trained["segmentation.layer4.0.conv1.weight"].allclose(initial["segmentation.layer4.0.conv1.weight"], 0, 0));
        Assert.False(trained["conditioning.features.layer4.0.conv1.weight"].allclose(initial["conditioning.features.layer4.0.conv1.weight"], 0, 0));
        Assert.True(trained["segmentation.layer4.0.bn1.running_mean"].allclose(initial["segmentation.layer4.0.bn1.running_mean"], 0, 0));
        Assert.True(trained["segmentation.layer4.0.bn1.weight"].allclose(initial["segmentation.layer4.0.bn1.weight"], 0, 0));
        Assert.True(trained["segmentation.input_weight"].allclose(initial["segmentation.input_weight"], 0, 0));
        Assert.False(trained["segmentation.input_weight"].allclose(eye(3).reshape(3, 3, 1, 1), 0, 0));

        using var baseClassifier = new PixelClassifierNetwork(config.ResolvedPreset, 0, CPU);
        CheckpointFile.LoadModel(baseFinal, baseClassifier);
        using var siamese = new SiameseNetwork(config.ResolvedPreset, 0, CPU);
        CheckpointFile.LoadModel(siameseFinal, siamese);
        oslsm.eval(); baseClassifier.eval(); siamese.eval();
        var images = split.Test.ToDictionary(i => i.Id);
        foreach (var (solver, shots) in new (IEpisodeSolver, int)[]
                 {
                     (new OslsmSolver(oslsm, 0.5), 1), (new OslsmSolver(oslsm, 0.5, SupportCombination.MeanLogits), 2),
                     (new NearestNeighbourSolver(baseClassifier), 1), (new LogisticRegressionSolver(baseClassifier), 2),
                     (new FineTuningSolver(baseClassifier, iterations: 2, learningRate: 1e-3), 1), (new CosegmentationSolver(baseClassifier), 2),
                     (new SiameseSolver(siamese), 1),
                 })
        {
            var episodes = new EpisodeSampler(split.Test, shots, SeededRandom.Derive(2, "resnet")).Take(3);
            var scores = EpisodeEvaluator.Score(solver, episodes, images).Scores;
            Assert.Equal(3, scores.Count);
            Assert.All(scores, s => Assert.True(s.Counts.TruePositive + s.Counts.FalseNegative > 0, solver.Method.ToString()));
        }
    }
}
