using SegCluster.Experiment;
namespace SegCluster.Learning.Data;

/// <summary>
/// The folders of a PASCAL-5i data set: VOC 2012 (required: its val list defines D_test and what D_train excludes),
/// optionally SBD (benchmark_RELEASE) and SegmentationClassAug.
/// </summary>
public sealed record DataSources(string Voc, string? Sbd = null, string? Aug = null)
{
    public string VocRoot => Resolve(Voc, "VOC2012", "JPEGImages");
    public string? SbdRoot => Sbd is null ? null : Resolve(Sbd, "dataset", "cls");

    public IReadOnlyList<string> VocList(string split) => ReadList(Path.Combine(VocRoot, "ImageSets", "Segmentation", split + ".txt"));

    public ImageRecord VocRecord(string id) => new(id,
        Path.Combine(VocRoot, "JPEGImages", id + ".jpg"), Path.Combine(VocRoot, "SegmentationClass", id + ".png"), MaskFormat.PalettePng);

    /// <summary>An SBD list may be empty (a subset of SBD may hold only train images).</summary>
    public IReadOnlyList<string> SbdList(string split) => ReadList(Path.Combine(SbdRoot!, split + ".txt"), allowEmpty: true);

    public ImageRecord SbdRecord(string id) => new(id,
        Path.Combine(SbdRoot!, "img", id + ".jpg"), Path.Combine(SbdRoot!, "cls", id + ".mat"), MaskFormat.SbdMat);

    /// <summary>Ids of the SegmentationClassAug folder; their images are VOC's JPEGImages.</summary>
    public IReadOnlyList<string> AugIds()
    {
        if (Aug is null) return [];
        if (!Directory.Exists(Aug)) throw new DataFileException(Aug, "SegmentationClassAug folder not found");
        return Directory.EnumerateFiles(Aug, "*.png").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList()!;
    }

    public ImageRecord AugRecord(string id) => new(id,
        Path.Combine(VocRoot, "JPEGImages", id + ".jpg"), Path.Combine(Aug!, id + ".png"), MaskFormat.GrayPng);

    /// <summary>Accepts the folder itself or its parent (VOCdevkit, benchmark_RELEASE).</summary>
    private static string Resolve(string folder, string child, string marker)
    {
        if (!Directory.Exists(folder)) throw new DataFileException(folder, "folder not found");
        if (Directory.Exists(Path.Combine(folder, marker))) return folder;
        var nested = Path.Combine(folder, child);
        if (Directory.Exists(Path.Combine(nested, marker))) return nested;
        throw new DataFileException(folder, $"neither it nor {child}/ contains {marker}/");
    }

    public static IReadOnlyList<string> ReadList(string path, bool allowEmpty = false)
    {
        if (!File.Exists(path)) throw new DataFileException(path, "list file not found");
        var ids = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (ids.Count == 0 && !allowEmpty) throw new DataFileException(path, "list file is empty");
        foreach (var id in ids)
            if (id.Length > 128 || id.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || id.Contains(".."))
                throw new DataFileException(path, $"'{(id.Length > 40 ? id[..40] + "..." : id)}' is not an image id");
        return ids;
    }
}
