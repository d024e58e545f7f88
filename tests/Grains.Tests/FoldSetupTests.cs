using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;

namespace SegCluster.Grains.Tests;

/// <summary>The test episodes a fold scores, and the control's: the same queries with supports of another class.</summary>
public sealed class FoldSetupTests
{
    private static readonly SyntheticPascal.Layout Data =
        SyntheticPascal.Generate(Directory.CreateTempSubdirectory("segcluster-fold-setup-").FullName, new SyntheticPascal.Options(Images: 300, Size: 32, Seed: 5));

    [Fact]
    public void The_control_keeps_each_query_and_class_and_shows_another_class_as_it()
    {
        var split = FoldSplit.Build(DataCatalog.Scan(Data.Sources), 1);
        var config = RunSettings.PaperProtocol with { Episodes = 60, BatchSize = 20, Seed = 3 };
        var batch = FoldSetup.Batches(config, split, 2)[1];
        var control = FoldSetup.WithOtherClassSupports(config, split, 2, 1, batch);
        var images = split.Test.ToDictionary(i => i.Id);

        Assert.Equal(batch.Select(e => (e.QueryId, e.ClassId)), control.Select(e => (e.QueryId, e.ClassId)));
        Assert.All(control, e =>
        {
            Assert.NotEqual(e.ClassId, e.SupportClassId);
            Assert.Contains(e.SupportClassId, split.TestClasses);
            Assert.Equal(2, e.SupportIds.Distinct().Count());
            Assert.DoesNotContain(e.QueryId, e.SupportIds);
            Assert.All(e.SupportIds, id => Assert.Contains(e.SupportClassId, images[id].Classes));
        });
        Assert.True(control.Select(e => e.SupportClassId).Distinct().Count() > 1);
        Assert.Equal(control.Select(e => string.Join(" ", e.SupportIds)), FoldSetup.WithOtherClassSupports(config, split, 2, 1, batch).Select(e => string.Join(" ", e.SupportIds)));

        // Loaded, the supports' masks outline the other class's objects under the query's class label.
        var first = control[0];
        using var input = EpisodeEvaluator.Load(new Episode(first.QueryId, first.ClassId, first.SupportIds, first.SupportClassId), images);
        var own = images[first.SupportIds[0]].Record.ReadMask().Labels;
        var shown = input.Supports[0].Mask.Labels;
        Assert.Equal(own.Select(v => v == first.SupportClassId), shown.Select(v => v == first.ClassId));
        Assert.Contains(own, v => v == first.SupportClassId);
    }

    [Fact]
    public void Seen_class_episodes_are_held_out_images_of_the_training_classes()
    {
        var split = FoldSplit.Build(DataCatalog.Scan(Data.Sources), 2);
        var config = RunSettings.PaperProtocol with { BatchSize = 25, Seed = 4 };
        Assert.Empty(FoldSetup.SeenClassBatches(config, split, 1));   // off unless asked for
        var batches = FoldSetup.SeenClassBatches(config with { SeenClassEpisodes = 100 }, split, 1);
        Assert.Equal(4, batches.Count);
        var val = split.Seen.Select(i => i.Id).ToHashSet();
        Assert.All(batches.SelectMany(b => b), e =>
        {
            Assert.Contains(e.ClassId, split.TrainClasses);
            Assert.All(e.SupportIds.Prepend(e.QueryId), id => Assert.Contains(id, val));
        });
        Assert.Empty(val.Intersect(split.Train.Select(i => i.Id)));   // never trained on
        Assert.True(batches.SelectMany(b => b).Select(e => e.ClassId).Distinct().Count() > 5);
    }
}
