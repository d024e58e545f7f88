using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SegCluster.Deployment.Tests;

/// <summary>The docker/*.Dockerfile files, read as far as the tests need: stages, image title, copies, user.</summary>
public sealed record Dockerfiles(string Path, string Text)
{
    public static IEnumerable<Dockerfiles> All() =>
        Directory.GetFiles(System.IO.Path.Combine(RenderedManifests.RepositoryRoot, "docker"), "*.Dockerfile")
            .Select(p => new Dockerfiles(p, File.ReadAllText(p)));

    public static Dockerfiles Named(string title) => All().Single(d => d.Title == title);

    public string Title => Regex.Match(Text, @"org\.opencontainers\.image\.title=""([^""]+)""").Groups[1].Value;

    public IReadOnlyList<string> Stages => Regex.Matches(Text, @"^FROM\s+(\S+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();

    /// <summary>The text after the last FROM: what the shipped image is made of.</summary>
    public string FinalStage => Text[Text.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];

    public IReadOnlyList<string> CopiedSources => Regex.Matches(Text, @"^COPY\s+(?!--from)(.+)\s+\S+$", RegexOptions.Multiline)
        .SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();

    public string? Arg(string name) => Regex.Match(Text, $@"^ARG\s+{name}=(\S+)", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>A project and every project it references, as repository-relative paths of their .csproj files.</summary>
    public static IReadOnlyList<string> ProjectClosure(string project)
    {
        var seen = new List<string>();
        void Visit(string relative)
        {
            if (seen.Contains(relative)) return;
            seen.Add(relative);
            var full = System.IO.Path.Combine(RenderedManifests.RepositoryRoot, relative);
            foreach (var reference in XDocument.Load(full).Descendants("ProjectReference").Select(r => r.Attribute("Include")!.Value))
                Visit(System.IO.Path.GetRelativePath(RenderedManifests.RepositoryRoot,
                    System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, reference))));
        }
        Visit(project);
        return seen;
    }
}
