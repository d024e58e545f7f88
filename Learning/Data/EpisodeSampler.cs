using SegCluster.Experiment;
namespace SegCluster.Learning.Data;

/// <summary>
/// The paper's sampler (section 4.3, used for training and for the N test episodes of section 5): a query image
/// uniform over the split, a class uniform among the split's classes present in it, and k support images uniform
/// among the other images of the split containing that class.
/// </summary>
public sealed class EpisodeSampler
{
    private readonly IReadOnlyList<AnnotatedImage> images;
    private readonly Dictionary<int, List<int>> imagesByClass = [];
    private readonly SeededRandom random;

    public int Shots { get; }

    public EpisodeSampler(IReadOnlyList<AnnotatedImage> images, int shots, SeededRandom random)
    {
        if (shots < 1) throw new ArgumentOutOfRangeException(nameof(shots), shots, "shots (k) must be at least 1");
        if (images.Count == 0) throw new ArgumentException("the split has no images", nameof(images));
        this.images = images;
        this.random = random;
        Shots = shots;
        for (var i = 0; i < images.Count; i++)
            foreach (var c in images[i].Classes)
                (imagesByClass.TryGetValue(c, out var list) ? list : imagesByClass[c] = []).Add(i);
        foreach (var (c, list) in imagesByClass)
            if (list.Count <= shots)
                throw new ArgumentException(
                    $"class {PascalClasses.Name(c)} is in {list.Count} image(s) of the split; {shots}-shot episodes need at least {shots + 1}", nameof(shots));
    }

    public SeededRandom Random => random;

    public Episode Next()
    {
        var queryIndex = random.Next(images.Count);
        var query = images[queryIndex];
        var classId = query.Classes[random.Next(query.Classes.Count)];
        var candidates = imagesByClass[classId].Where(i => i != queryIndex).ToList();
        var supports = random.Sample(candidates.Count, Shots).Select(i => images[candidates[i]].Id).ToList();
        return new Episode(query.Id, classId, supports);
    }

    public IReadOnlyList<Episode> Take(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "episode count must be at least 1");
        return Enumerable.Range(0, count).Select(_ => Next()).ToList();
    }
}
