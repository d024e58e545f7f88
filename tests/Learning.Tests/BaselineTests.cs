using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Evaluation.Baselines;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Tests;

/// <summary>The baselines of section 6: hand-computed answers on tiny feature maps, then the real pipeline.</summary>
public sealed class BaselineTests
{
    [Fact]
    public void Nearest_neighbour_takes_the_label_of_the_closest_support_cell()
    {
        using var scope = NewDisposeScope();
        var supports = tensor(new float[] { 0, 0, 10, 0, 0, 10 }, [3, 2]);
        var labels = tensor(new float[] { 0, 1, 1 });
        var queries = tensor(new float[] { 1, 1, 9, 1, 1, 8, 4, 0, 6, 0 }, [5, 2]);
        // (1,1) nearest (0,0); (9,1) nearest (10,0); (1,8) nearest (0,10); (4,0): 4 vs 6; (6,0): 6 vs 4.
        Assert.Equal([0f, 1f, 1f, 0f, 1f], NearestNeighbourSolver.Classify(supports, labels, queries).data<float>().ToArray());
    }

    [Fact]
    public void Logistic_regression_takes_the_hand_computed_first_step_and_separates_separable_cells()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 0, 0, 1, 1, 1 }, [3, 2]);
        var y = tensor(new float[] { 1, 0, 1 });
        // From zero every p is 1/2: error (p - y) = (-1/2, 1/2, -1/2). Balanced weights: 1/4 for each of the two
        // positives, 1/2 for the negative. grad w = x^T (weights * error) = (-1/4, 1/8); grad b = 0.
        var (w, b) = LogisticRegressionSolver.Fit(x, y, iterations: 1, learningRate: 0.5, l2: 0);
        Assert.Equal(0.125, w[0].item<float>(), 6);
        Assert.Equal(-0.0625, w[1].item<float>(), 6);
        Assert.Equal(0.0, b.item<float>(), 6);

        // With L2 the step also shrinks w: the second step's weight-decay term is l2 * w1.
        var (w2, _) = LogisticRegressionSolver.Fit(x, y, iterations: 2, learningRate: 0.5, l2: 0.1);
        var (w2Free, _) = LogisticRegressionSolver.Fit(x, y, iterations: 2, learningRate: 0.5, l2: 0);
        Assert.Equal(0.5 * 0.1 * 0.125, w2Free[0].item<float>() - w2[0].item<float>(), 6);

        var (trained, bias) = LogisticRegressionSolver.Fit(x, y, iterations: 500, learningRate: 1, l2: 0);
        using var one = 1.0.ToScalar();
        var probabilities = sigmoid(x.matmul(trained).add(bias, one)).data<float>().ToArray();
        Assert.Equal([true, false, true], probabilities.Select(p => p > 0.5f));
    }

    [Fact]
    public void Rows_are_normalised_to_unit_length_and_zero_rows_stay_zero()
    {
        using var scope = NewDisposeScope();
        var rows = LogisticRegressionSolver.Normalise(tensor(new float[] { 3, 4, 0, 0 }, [2, 2]));
        Assert.Equal([0.6f, 0.8f, 0f, 0f], rows.data<float>().ToArray());
    }

    [Fact]
    public void Support_cells_are_labelled_at_their_centres_with_void_kept()
    {
        // A 4x4 mask on a 2x2 grid: the cell centres fall on pixels (1,1), (3,1), (1,3), (3,3).
        var mask = new SegmentationMask(4, 4, [
            0, 0, 0, 0,
            0, 7, 0, 3,
            0, 0, 0, 0,
            0, 255, 0, 7]);
        Assert.Equal([1, 0, 255, 1], DenseEpisodeFeatures.CellLabels(mask, 7, 2));
    }

    [Fact]
    public void Co_segmentation_clusters_the_common_centre_apart_from_the_border()
    {
        using var scope = NewDisposeScope();
        // Two 3x3 images: border cells look alike (1,0), the centre cells (0,1) are the common object.
        var cells = new float[2 * 9 * 2];
        for (var i = 0; i < 18; i++) { var centre = i % 9 == 4; cells[2 * i] = centre ? 0 : 1; cells[2 * i + 1] = centre ? 1 : 0; }
        var foreground = CosegmentationSolver.Foreground(tensor(cells, [18, 2]), CosegmentationSolver.BorderCells(2, 3, 3), iterations: 5);
        Assert.Equal(Enumerable.Range(0, 18).Select(i => i % 9 == 4 ? 1f : 0f), foreground.data<float>().ToArray());
    }

    [Fact]
    public void Base_classifier_labels_are_the_folds_training_classes_in_order()
    {
        var labels = BaseClassifierFoldTraining.Labels(PascalFiveI.TrainClassesOf(0));   // classes 6..20
        Assert.Equal(1, labels(6));
        Assert.Equal(15, labels(20));
        Assert.Equal(0, labels(3));                     // a test class of fold 0 reads as background
        Assert.Equal(0, labels(0));
        Assert.Equal(PascalClasses.Void, labels(PascalClasses.Void));
    }

    [Fact]
    public void Base_classifier_resumes_bit_for_bit_and_its_baselines_beat_predicting_everything()
    {
        var layout = SyntheticPascal.Generate(Fixtures.TempDirectory(), new SyntheticPascal.Options(Images: 600, Size: 64, Seed: 5));
        var split = FoldSplit.Build(DataCatalog.Scan(layout.Sources), 1);
        var config = new FoldTrainingConfig(1, "tiny", QuerySize: 64, SupportSize: 64, Iterations: 1200, CheckpointEvery: 600, ProgressEvery: 100,
            Seed: 4, Training: TrainingOptions.TinyMeanLoss);
        var full = Fixtures.TempDirectory();
        var final = new BaseClassifierFoldTraining(split, config, new CheckpointStore(full), CPU).Run(null, default);

        // Resume: only the iteration-600 checkpoint survives elsewhere; training on reaches the same weights.
        var resumed = Fixtures.TempDirectory();
        var halfway = new CheckpointStore(full).PathFor(600);
        File.Copy(halfway, Path.Combine(resumed, Path.GetFileName(halfway)));
        var again = new BaseClassifierFoldTraining(split, config, new CheckpointStore(resumed), CPU).Run(null, default);
        Assert.Equal(Weights(config, final), Weights(config, again));

        using var network = new PixelClassifierNetwork(config.ResolvedPreset, config.Seed + 1, CPU);
        CheckpointFile.LoadModel(final, network);
        var images = split.Test.ToDictionary(i => i.Id);
        double MeanIou(IEpisodeSolver solver, int shots)
        {
            var episodes = new EpisodeSampler(split.Test, shots, SeededRandom.Derive(2, $"test-{shots}")).Take(150);
            var accumulator = new IouAccumulator();
            foreach (var s in EpisodeEvaluator.Score(solver, episodes, images).Scores) accumulator.Add(s);
            return accumulator.MeanIou(split.TestClasses);
        }
        var everything = MeanIou(new AllForegroundSolver(), 1);
        var nearest = MeanIou(new NearestNeighbourSolver(network), 1);
        var logistic = MeanIou(new LogisticRegressionSolver(network), 1);
        var fineTuned = MeanIou(new FineTuningSolver(network, iterations: 5, learningRate: 1e-2), 1);   // the demo's setting
        var siameseFinal = new SiameseFoldTraining(split, config, new CheckpointStore(Fixtures.TempDirectory()), CPU).Run(null, default);
        using var siameseNetwork = new SiameseNetwork(config.ResolvedPreset, 0, CPU);
        CheckpointFile.LoadModel(siameseFinal, siameseNetwork);
        var siamese = MeanIou(new SiameseSolver(siameseNetwork), 1);
        var coseg = MeanIou(new CosegmentationSolver(network), 5);
        var message = $"1-nn {nearest:F3}, logreg {logistic:F3}, finetune {fineTuned:F3}, siamese {siamese:F3}, co-segmentation (5-shot) {coseg:F3}, " +
                      $"all-foreground {everything:F3}";
        TestContext.Current.TestOutputHelper?.WriteLine(message);
        Assert.True(new[] { nearest, logistic, fineTuned, siamese }.All(m => m > everything + 0.05), message);
    }

    [Fact]
    public void Siamese_support_sampling_is_seeded_and_keeps_the_requested_share()
    {
        var layout = SyntheticPascal.Generate(Fixtures.TempDirectory(), new SyntheticPascal.Options(Images: 200, Size: 48, Seed: 8));
        var split = FoldSplit.Build(DataCatalog.Scan(layout.Sources), 0);
        var images = split.Test.ToDictionary(i => i.Id);
        var inputs = new EpisodeSampler(split.Test, 1, SeededRandom.Derive(4, "siamese")).Take(4).Select(e => EpisodeEvaluator.Load(e, images)).ToList();
        using var network = new SiameseNetwork(OslsmPreset.Tiny with { QuerySize = 48, SupportSize = 48 }, 3, CPU);
        List<byte[]> Masks(SiameseSolver solver) => inputs.Select(solver.Predict).ToList();

        // The same seed gives the same cells and masks; the full set is what the solver without sampling compares.
        Assert.Equal(Masks(new SiameseSolver(network, 0.3, seed: 5)), Masks(new SiameseSolver(network, 0.3, seed: 5)));
        Assert.Equal(Masks(new SiameseSolver(network)), Masks(new SiameseSolver(network, 1, seed: 5)));
        // A share that keeps a single support cell labels every query cell alike.
        Assert.All(Masks(new SiameseSolver(network, 1e-9, seed: 5)), mask => Assert.Single(mask.Distinct()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SiameseSolver(network, 0));
    }

    [Fact]
    public void Co_segmentation_never_reads_the_support_masks()
    {
        var layout = SyntheticPascal.Generate(Fixtures.TempDirectory(), new SyntheticPascal.Options(Images: 400, Size: 48, Seed: 6));
        var split = FoldSplit.Build(DataCatalog.Scan(layout.Sources), 2);
        var episode = new EpisodeSampler(split.Test, 5, SeededRandom.Derive(3, "coseg")).Next();
        var input = EpisodeEvaluator.Load(episode, split.Test.ToDictionary(i => i.Id));
        using var network = new PixelClassifierNetwork(OslsmPreset.Tiny with { QuerySize = 48 }, 9, CPU);
        var solver = new CosegmentationSolver(network);
        var withMasks = solver.Predict(input);
        var blanked = input with { Supports = input.Supports.Select(s => s with { Mask = s.Mask with { Labels = new byte[s.Mask.Labels.Length] } }).ToList() };
        Assert.Equal(withMasks, solver.Predict(blanked));
        Assert.Equal(input.Query.Width * input.Query.Height, withMasks.Length);
    }

    [Fact]
    public void Fine_tuning_starts_every_episode_from_the_same_point_and_leaves_the_base_network_alone()
    {
        var layout = SyntheticPascal.Generate(Fixtures.TempDirectory(), new SyntheticPascal.Options(Images: 200, Size: 48, Seed: 7));
        var split = FoldSplit.Build(DataCatalog.Scan(layout.Sources), 0);
        var input = EpisodeEvaluator.Load(new EpisodeSampler(split.Test, 1, SeededRandom.Derive(4, "finetune")).Next(), split.Test.ToDictionary(i => i.Id));
        using var network = new PixelClassifierNetwork(OslsmPreset.Tiny with { QuerySize = 48 }, 2, CPU);
        var before = network.parameters().Select(p => p.detach().clone()).ToList();
        var solver = new FineTuningSolver(network, iterations: 5, learningRate: 1e-2);
        var first = solver.Predict(input);
        Assert.Equal(first, solver.Predict(input));
        Assert.All(network.parameters().Zip(before), pair => Assert.True(pair.First.allclose(pair.Second, 0, 0)));
    }

    [Fact]
    public void Fine_tuning_normalises_the_query_with_the_supports_statistics()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var network = new PixelClassifierNetwork(OslsmPreset.Tiny with { QuerySize = 48 }, 2, CPU);
        manual_seed(3);
        var supports = network.Trunk.Convolutional(rand(3, 3, 48, 48));
        using var head = new FineTuningSolver.EpisodeHead(network.Trunk, network.Preset.FullyConnected, CPU);
        head.eval();
        // Before: running statistics 0 and 1 leave fc7's output x as it is (divided by sqrt(1 + eps)).
        var before = head.Normalised(supports);
        var variance = before.var([0, 2, 3], unbiased: false).mul(1 + 1e-5);
        var live = variance.gt(1e-8);                                         // channels the relu leaves alive
        Assert.True(before.mean([0, 2, 3]).index(live).abs().max().ToDouble() > 1e-3, "fresh running statistics do not centre the support's features");

        head.NormaliseLike(supports);
        var after = head.Normalised(supports);
        Assert.True(after.mean([0, 2, 3]).index(live).abs().max().ToDouble() < 1e-3);
        var expected = variance.div(variance.add(1e-5));                      // v / (v + eps): unit variance but for epsilon
        Assert.True(after.var([0, 2, 3], unbiased: false).index(live).allclose(expected.index(live), rtol: 1e-3, atol: 1e-4));
    }

    private static byte[] Weights(FoldTrainingConfig config, string checkpoint)
    {
        using var network = new PixelClassifierNetwork(config.ResolvedPreset, 0, CPU);
        CheckpointFile.LoadModel(checkpoint, network);
        return network.parameters().SelectMany(p => p.bytes.ToArray()).ToArray();
    }
}
