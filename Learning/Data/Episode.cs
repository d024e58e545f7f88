using System.Globalization;
using SegCluster.Experiment;

namespace SegCluster.Learning.Data;

/// <summary>
/// One k-shot episode: the query image, the class to segment, and the k support images; in a control episode the
/// supports show objects of another class (<paramref name="SupportClassId"/>, 0: the query's), presented as the class.
/// </summary>
public sealed record Episode(string QueryId, int ClassId, IReadOnlyList<string> SupportIds, int SupportClassId = 0)
{
    public int Shots => SupportIds.Count;

    /// <summary>The class the supports' masks outline.</summary>
    public int ShownClassId => SupportClassId == 0 ? ClassId : SupportClassId;

    /// <summary>"query class support1 [support2 ...]", the episode-list file format.</summary>
    public override string ToString() => $"{QueryId} {ClassId.ToString(CultureInfo.InvariantCulture)} {string.Join(' ', SupportIds)}";

    public static void Save(string path, IEnumerable<Episode> episodes)
    {
        var temporary = path + ".tmp";
        File.WriteAllLines(temporary, episodes.Select(e => e.ToString()));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads an episode list; every episode must have the same number of supports.</summary>
    public static IReadOnlyList<Episode> Load(string path)
    {
        if (!File.Exists(path)) throw new DataFileException(path, "episode list not found");
        var episodes = new List<Episode>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            if (parts.Length < 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var classId) || classId is < 1 or > PascalClasses.Count)
                throw new DataFileException(path, $"line {lineNumber}: expected 'query class(1..20) support...'");
            episodes.Add(new Episode(parts[0], classId, parts[2..]));
        }
        if (episodes.Count == 0) throw new DataFileException(path, "episode list is empty");
        if (episodes.Select(e => e.Shots).Distinct().Count() > 1) throw new DataFileException(path, "episodes have different numbers of supports");
        return episodes;
    }
}
