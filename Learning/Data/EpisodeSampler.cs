using SegCluster.Contracts;
using SegCluster.Experiment;
namespace SegCluster.Learning.Data;

/// <summary>
/// Draws k-shot episodes from a split. The paper's sampler (section 4.3, used for training and for the N test
/// episodes of section 5): a query image uniform over the split, a class uniform among the split's classes present
/// in it, and k support images uniform among the other images of the split containing that class. The authors'
/// loader instead walks shuffled passes over every (image, class) pair (<see cref="TestSampler.Pairs"/>) and takes
/// the first k of a shuffle of all the class's other images. Paired draws shuffle all of them under either order,
/// so the random stream does not depend on k: episode i of every k has the same query and class, and its supports
/// begin with those of every smaller k (test episodes; training keeps the paper's k-of-n draw).
/// </summary>
public sealed class EpisodeSampler
{
    private readonly IReadOnlyList<AnnotatedImage> images;
    private readonly Dictionary<int, List<int>> imagesByClass = [];
    private readonly SeededRandom random;
    private readonly TestSampler order;
    private readonly bool paired;
    private readonly (int Image, int ClassId)[] pairs;
    private int nextPair;

    public int Shots { get; }

    public EpisodeSampler(IReadOnlyList<AnnotatedImage> images, int shots, SeededRandom random, TestSampler order = TestSampler.Uniform, bool paired = false)
    {
        if (shots < 1) throw new ArgumentOutOfRangeException(nameof(shots), shots, "shots (k) must be at least 1");
        if (images.Count == 0) throw new ArgumentException("the split has no images", nameof(images));
        this.images = images;
        this.random = random;
        this.order = order;
        this.paired = paired || order == TestSampler.Pairs;
        Shots = shots;
        for (var i = 0; i < images.Count; i++)
            foreach (var c in images[i].Classes)
                (imagesByClass.TryGetValue(c, out var list) ? list : imagesByClass[c] = []).Add(i);
        foreach (var (c, list) in imagesByClass)
            if (list.Count <= shots)
                throw new ArgumentException(
                    $"class {PascalClasses.Name(c)} is in {list.Count} image(s) of the split; {shots}-shot episodes need at least {shots + 1}", nameof(shots));
        pairs = order == TestSampler.Pairs ? [.. images.SelectMany((image, i) => image.Classes.Select(c => (i, c)))] : [];
        nextPair = pairs.Length;   // the first draw shuffles
    }

    public SeededRandom Random => random;

    public Episode Next()
    {
        var (queryIndex, classId) = order == TestSampler.Pairs ? NextPair() : NextUniform();
        var candidates = imagesByClass[classId].Where(i => i != queryIndex).ToList();
        var supports = random.Sample(candidates.Count, paired ? candidates.Count : Shots).Take(Shots)
            .Select(i => images[candidates[i]].Id).ToList();
        return new Episode(images[queryIndex].Id, classId, supports);
    }

    public IReadOnlyList<Episode> Take(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "episode count must be at least 1");
        return Enumerable.Range(0, count).Select(_ => Next()).ToList();
    }

    private (int Image, int ClassId) NextUniform()
    {
        var queryIndex = random.Next(images.Count);
        var classes = images[queryIndex].Classes;
        return (queryIndex, classes[random.Next(classes.Count)]);
    }

    private (int Image, int ClassId) NextPair()
    {
        if (nextPair == pairs.Length)
        {
            random.Shuffle(pairs);
            nextPair = 0;
        }
        return pairs[nextPair++];
    }
}
