using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Experiment;

namespace SegCluster.Learning.Tests;

public sealed class EpisodeSamplerTests
{
    private static IReadOnlyList<AnnotatedImage> Images(params int[][] classes) =>
        classes.Select((c, i) => new AnnotatedImage(new ImageRecord($"img{i}", "", "", MaskFormat.GrayPng), 1, 1, c, new long[21], new long[21])).ToList();

    private static readonly IReadOnlyList<AnnotatedImage> Split = Images([1], [1, 2], [2], [1], [2, 3], [3], [3], [1, 3]);

    [Fact]
    public void Same_seed_same_episodes()
    {
        var a = new EpisodeSampler(Split, 2, new SeededRandom(7)).Take(50);
        var b = new EpisodeSampler(Split, 2, new SeededRandom(7)).Take(50);
        var c = new EpisodeSampler(Split, 2, new SeededRandom(8)).Take(50);
        Assert.Equal(a.Select(e => e.ToString()), b.Select(e => e.ToString()));
        Assert.NotEqual(a.Select(e => e.ToString()), c.Select(e => e.ToString()));
    }

    [Fact]
    public void Episodes_follow_the_paper_protocol()
    {
        var byId = Split.ToDictionary(i => i.Id);
        foreach (var episode in new EpisodeSampler(Split, 2, new SeededRandom(3)).Take(500))
        {
            Assert.Contains(episode.ClassId, byId[episode.QueryId].Classes);
            Assert.DoesNotContain(episode.QueryId, episode.SupportIds);
            Assert.Equal(2, episode.SupportIds.Distinct().Count());
            Assert.All(episode.SupportIds, s => Assert.Contains(episode.ClassId, byId[s].Classes));
        }
    }

    [Fact]
    public void Query_is_uniform_over_images_and_class_uniform_within_the_query()
    {
        var episodes = new EpisodeSampler(Split, 1, new SeededRandom(11)).Take(16000);
        foreach (var group in episodes.GroupBy(e => e.QueryId))
            Assert.InRange(group.Count(), 2000 * 0.9, 2000 * 1.1);   // 16000 / 8 images
        var img1 = episodes.Where(e => e.QueryId == "img1").ToList();
        Assert.InRange(img1.Count(e => e.ClassId == 1) / (double)img1.Count, 0.44, 0.56);
    }

    [Fact]
    public void The_authors_order_passes_over_every_image_class_pair_once_per_pass()
    {
        var pairs = Split.SelectMany(i => i.Classes.Select(c => $"{i.Id}/{c}")).Order().ToList();   // 11 pairs
        var episodes = new EpisodeSampler(Split, 2, new SeededRandom(4), TestSampler.Pairs).Take(3 * pairs.Count);
        var byId = Split.ToDictionary(i => i.Id);
        for (var pass = 0; pass < 3; pass++)
            Assert.Equal(pairs, episodes.Skip(pass * pairs.Count).Take(pairs.Count).Select(e => $"{e.QueryId}/{e.ClassId}").Order());
        Assert.NotEqual(episodes.Take(pairs.Count).Select(e => e.QueryId), episodes.Skip(pairs.Count).Take(pairs.Count).Select(e => e.QueryId));
        Assert.All(episodes, e => Assert.All(e.SupportIds, s => Assert.Contains(e.ClassId, byId[s].Classes)));
        Assert.All(episodes, e => Assert.DoesNotContain(e.QueryId, e.SupportIds));
    }

    [Theory]
    [InlineData(TestSampler.Uniform)]
    [InlineData(TestSampler.Pairs)]
    public void Paired_draws_share_queries_and_first_supports_across_shot_counts(TestSampler order)
    {
        var two = new EpisodeSampler(Split, 2, new SeededRandom(9), order, paired: true).Take(12000);
        var episodes = new EpisodeSampler(Split, 1, new SeededRandom(9), order, paired: true).Take(12000);
        Assert.Equal(two.Select(e => (e.QueryId, e.ClassId, e.SupportIds[0])), episodes.Select(e => (e.QueryId, e.ClassId, e.SupportIds.Single())));
        // img0's class 1 is also in img1, img3, img7: each is the single support a third of the time.
        var supports = episodes.Where(e => e.QueryId == "img0").GroupBy(e => e.SupportIds[0]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(["img1", "img3", "img7"], supports.Keys.Order());
        Assert.All(supports.Values, n => Assert.InRange(n / (double)supports.Values.Sum(), 0.28, 0.39));
    }

    [Fact]
    public void Impossible_requests_are_refused_clearly()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpisodeSampler(Split, 0, new SeededRandom(1)));
        var error = Assert.Throws<ArgumentException>(() => new EpisodeSampler(Split, 4, new SeededRandom(1)));
        Assert.Contains("aeroplane", error.Message);   // class 1 is in 4 images: 4-shot needs 5
    }

    [Fact]
    public void Episode_lists_round_trip()
    {
        var episodes = new EpisodeSampler(Split, 2, new SeededRandom(5)).Take(20);
        var path = Path.Combine(Fixtures.TempDirectory(), "episodes.txt");
        Episode.Save(path, episodes);
        Assert.Equal(episodes.Select(e => e.ToString()), Episode.Load(path).Select(e => e.ToString()));
        File.WriteAllText(path, "img0 99 img1\n");
        Assert.Contains("line 1", Assert.Throws<DataFileException>(() => Episode.Load(path)).Reason);
    }
}
