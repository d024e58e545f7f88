using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Evaluation.Baselines;
using SegCluster.Learning.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace SegCluster.Learning.Tests;

/// <summary>
/// The real network shapes (VGG-16 with its 4096x512x7x7 fc6, the dilated variant, AlexNet) at reduced input size:
/// one OSLSM training step and one scored episode, and the same for every baseline's network.
/// </summary>
public sealed class ReducedSizePresetTests
{
    [Theory]
    [InlineData("vgg16-fcn32s", 64)]
    [InlineData("vgg16-dilated8", 48)]
    [InlineData("alexnet", 67)]
    public void Paper_presets_train_a_step_and_score_an_episode(string presetName, int size)
    {
        set_num_threads(2);
        var preset = OslsmPreset.Named(presetName) with { QuerySize = size, SupportSize = size };
        var episode = Episode(size);
        var target = EpisodeTensors.Binary(episode.Supports[0].Mask, 1, size);

        using (var network = new OslsmNetwork(preset, seed: 5))
        using (var trainer = new OslsmTrainer(network, new TrainingOptions(LearningRate: 1e-3, SumLoss: false)))
        {
            // Randomly initialised VGG-16 without ImageNet weights may leave early layers without gradient; some weight must move.
            var before = network.parameters().Select(p => p.detach().clone()).ToList();
            using var scope = NewDisposeScope();
            var loss = trainer.Step(EpisodeTensors.Image(episode.Query, size), EpisodeTensors.Image(episode.Supports[0].Image, size, episode.Supports[0].Mask, 1), target);
            Assert.True(float.IsFinite(loss) && loss > 0, $"loss {loss}");
            Assert.Contains(network.parameters().Zip(before), pair => !pair.First.allclose(pair.Second, 0, 0));
            var mask = new OslsmSolver(network).Predict(episode);
            Assert.Equal(episode.Query.Width * episode.Query.Height, mask.Length);
        }

        using (var baseNetwork = new PixelClassifierNetwork(preset, seed: 5))
        using (var trainer = new PixelClassifierTrainer(baseNetwork, new TrainingOptions(LearningRate: 1e-3, SumLoss: false)))
        {
            using var scope = NewDisposeScope();
            var loss = trainer.Step(EpisodeTensors.Image(episode.Query, size), EpisodeTensors.Resized(episode.Supports[0].Mask, size, v => v));
            Assert.True(float.IsFinite(loss) && loss > 0, $"base classifier loss {loss}");
            foreach (var solver in new IEpisodeSolver[]
                     {
                         new NearestNeighbourSolver(baseNetwork), new LogisticRegressionSolver(baseNetwork),
                         new FineTuningSolver(baseNetwork, iterations: 2, learningRate: 1e-3), new CosegmentationSolver(baseNetwork),
                     })
                Assert.Equal(episode.Query.Width * episode.Query.Height, solver.Predict(episode).Length);
        }

        using (var siamese = new SiameseNetwork(preset, seed: 5))
        using (var trainer = new SiameseTrainer(siamese, new TrainingOptions(LearningRate: 1e-3, SumLoss: false)))
        {
            using var scope = NewDisposeScope();
            var pair = stack([EpisodeTensors.Image(episode.Query, size), EpisodeTensors.Image(episode.Supports[0].Image, size)]);
            var loss = trainer.Step(pair, episode.Supports[0].Mask, episode.Supports[0].Mask, v => v);
            Assert.True(float.IsFinite(loss), $"siamese loss {loss}");
            Assert.Equal(episode.Query.Width * episode.Query.Height, new SiameseSolver(siamese).Predict(episode).Length);
        }
    }

    /// <summary>A query and one support: a square of class 1 on a plain background (void border around it).</summary>
    private static EpisodeInput Episode(int size)
    {
        var labels = new byte[size * size];
        for (var y = size / 4; y < 3 * size / 4; y++)
            for (var x = size / 4; x < 3 * size / 4; x++)
                labels[y * size + x] = 1;
        labels[0] = PascalClasses.Void;
        var image = new Image<Rgb24>(size, size, new Rgb24(20, 30, 40));
        for (var y = size / 4; y < 3 * size / 4; y++)
            for (var x = size / 4; x < 3 * size / 4; x++)
                image[x, y] = new Rgb24(200, 60, 60);
        var mask = new SegmentationMask(size, size, labels);
        return new EpisodeInput(image.Clone(), [new SupportExample(image, mask)], 1);
    }
}
