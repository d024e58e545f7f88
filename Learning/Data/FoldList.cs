using System.Globalization;
using SegCluster.Experiment;

namespace SegCluster.Learning.Data;

/// <summary>
/// The per-fold test lists later codebases publish, one image and class per line: "2007_000033 1" or HSNet's
/// "2007_000033__01". Restricting a split to such a list makes runs comparable with theirs.
/// </summary>
public static class FoldList
{
    public static IReadOnlyList<(string ImageId, int ClassId)> Load(string path)
    {
        if (!File.Exists(path)) throw new DataFileException(path, "fold list not found");
        var pairs = new List<(string, int)>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var parts = line.Contains("__", StringComparison.Ordinal) ? line.Split("__") : line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var classId) || classId is < 1 or > PascalClasses.Count)
                throw new DataFileException(path, $"line {lineNumber}: expected 'image_id class' or 'image_id__class' with a class in 1..20");
            pairs.Add((parts[0], classId));
        }
        if (pairs.Count == 0) throw new DataFileException(path, "fold list is empty");
        return pairs;
    }

    /// <summary>The split's test images restricted to the listed (image, class) pairs; unknown images are an error.</summary>
    public static FoldSplit RestrictTest(FoldSplit split, IReadOnlyList<(string ImageId, int ClassId)> pairs, string path)
    {
        var byId = split.Test.ToDictionary(i => i.Id);
        foreach (var (id, classId) in pairs)
            if (!byId.TryGetValue(id, out var image) || !image.Classes.Contains(classId))
                throw new DataFileException(path, $"'{id} {classId}' is not a test image of fold {split.Fold} with that class");
        var wanted = pairs.GroupBy(p => p.ImageId).ToDictionary(g => g.Key, g => g.Select(p => p.ClassId).ToHashSet());
        var test = split.Test.Where(i => wanted.ContainsKey(i.Id)).Select(i => i with { Classes = i.Classes.Where(wanted[i.Id].Contains).ToList() }).ToList();
        return split with { Test = test };
    }
}
