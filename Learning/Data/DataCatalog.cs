using SegCluster.Experiment;
namespace SegCluster.Learning.Data;

/// <summary>
/// Every usable image of the sources with its classes, read once and shared by the four folds.
/// Candidates for D_train: SBD train+val, SegmentationClassAug and VOC train, minus every VOC val image;
/// where an id has several masks, VOC's own (with void borders) wins, then SegmentationClassAug, then SBD.
/// </summary>
public sealed class DataCatalog
{
    public IReadOnlyList<AnnotatedImage> TrainPool { get; }
    public IReadOnlyList<AnnotatedImage> ValPool { get; }
    public IReadOnlyList<string> BadFiles { get; }

    private DataCatalog(IReadOnlyList<AnnotatedImage> train, IReadOnlyList<AnnotatedImage> val, IReadOnlyList<string> bad)
    {
        TrainPool = train;
        ValPool = val;
        BadFiles = bad;
    }

    /// <param name="skipBad">Report unreadable files in <see cref="BadFiles"/> and go on, instead of failing on the first.</param>
    /// <summary>
    /// A fingerprint of the data a run saw, recorded in its provenance: SHA-256 over every image of both pools with
    /// its id, size and per-class pixel counts (read from the masks), so a changed list, image size or mask shows.
    /// </summary>
    public string Digest()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var (pool, images) in new[] { ("train", TrainPool), ("val", ValPool) })
            foreach (var image in images)
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(
                    $"{pool} {image.Id} {image.Width}x{image.Height} {string.Join(',', image.PixelCounts)}\n"));
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    public static DataCatalog Scan(DataSources sources, bool skipBad = false)
    {
        var val = sources.VocList("val");
        var valIds = val.ToHashSet(StringComparer.Ordinal);
        var trainRecords = new Dictionary<string, ImageRecord>(StringComparer.Ordinal);
        void AddTrain(ImageRecord r) { if (!valIds.Contains(r.Id)) trainRecords.TryAdd(r.Id, r); }

        foreach (var id in sources.VocList("train")) AddTrain(sources.VocRecord(id));
        foreach (var id in sources.AugIds()) AddTrain(sources.AugRecord(id));
        if (sources.Sbd is not null)
            foreach (var id in sources.SbdList("train").Concat(sources.SbdList("val"))) AddTrain(sources.SbdRecord(id));

        var bad = new List<string>();
        var train = Annotate(trainRecords.Values.OrderBy(r => r.Id, StringComparer.Ordinal).ToList(), skipBad, bad);
        var valImages = Annotate(val.Select(sources.VocRecord).ToList(), skipBad, bad);
        return new DataCatalog(train, valImages, bad);
    }

    private static List<AnnotatedImage> Annotate(List<ImageRecord> records, bool skipBad, List<string> bad)
    {
        var results = new AnnotatedImage?[records.Count];
        var errors = new DataFileException?[records.Count];
        Parallel.For(0, records.Count, i =>
        {
            try { results[i] = Annotate(records[i]); }
            catch (DataFileException e) { errors[i] = e; }
        });
        for (var i = 0; i < records.Count; i++)
        {
            if (errors[i] is not { } error) continue;
            if (!skipBad) throw error;
            bad.Add(error.Message);
        }
        return results.Where(r => r is not null).Select(r => r!).ToList();
    }

    public static AnnotatedImage Annotate(ImageRecord record)
    {
        var (width, height) = ImageFiles.CheckSize(record.ImagePath);
        var mask = record.ReadMask();
        if (mask.Width != width || mask.Height != height)
            throw new DataFileException(record.MaskPath, $"mask is {mask.Width}x{mask.Height} but its image {record.ImagePath} is {width}x{height}");
        return new AnnotatedImage(record, width, height, mask.ClassesPresent(), mask.PixelCounts(), mask.GridCounts(SplitOptions.SmallObjectStride));
    }
}
