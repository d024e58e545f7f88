using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Grains.Tests;

/// <summary>
/// The bad-input corpus (tests/corpus, listed in cases.tsv, written by make_corpus.py): every file or run config is
/// refused by the code that reads it with a DataFileException or ArgumentException naming the file or field and the
/// reason, never another exception and never a message that echoes a huge input.
/// </summary>
public sealed class BadInputCorpusTests
{
    public static string Corpus => Path.Combine(AppContext.BaseDirectory, "corpus");

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var line in File.ReadLines(Path.Combine(Corpus, "cases.tsv")).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var parts = line.Split('\t');
            data.Add(parts[0], parts[1], parts.Length > 2 ? parts[2] : "");
        }
        return data;
    }

    [Fact]
    public void The_corpus_holds_at_least_fifty_cases() => Assert.True(Cases().Count >= 50, $"{Cases().Count} cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_bad_input_is_refused_with_the_file_or_field_and_the_reason(string kind, string file, string expected)
    {
        var paths = file.Split('|').Select(f => Path.Combine(Corpus, f)).ToArray();
        var error = Record.Exception(() => Read(kind, paths));
        Assert.NotNull(error);
        Assert.True(error is DataFileException or ArgumentException, $"{error.GetType().Name}: {error.Message}");
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"expected '{expected}' in: {error.Message}");
        Assert.True(error.Message.Length < 2000, $"the message echoes its input ({error.Message.Length} characters)");
        if (error is DataFileException fileError)
        {
            Assert.Contains(fileError.FilePath, paths);
            Assert.NotEmpty(fileError.Reason);
        }
    }

    private static void Read(string kind, string[] paths)
    {
        var path = paths[0];
        switch (kind)
        {
            case "image": using (ImageFiles.ReadRgb(path)) { } break;
            case "mask": ImageFiles.ReadPngMask(path); break;
            case "pair": DataCatalog.Annotate(new ImageRecord("pair", paths[0], paths[1], MaskFormat.GrayPng)); break;
            case "mat": MatFile.ReadSbdSegmentation(path); break;
            case "list": DataSources.ReadList(path); break;
            case "episodes": Episode.Load(path); break;
            case "foldlist": FoldList.Load(path); break;
            case "config": ReadConfig(path); break;
            case "weights":
                using (var network = new OslsmNetwork(OslsmPreset.Tiny, 1, CPU)) ModelWeights.Initialise(network, network.Preset, path, fromScratch: false);
                break;
            default: throw new InvalidOperationException($"unknown case kind '{kind}'");
        }
    }

    /// <summary>A config case over a valid base; "{root}" in the file stands for the data root the validator confines paths to.</summary>
    private static void ReadConfig(string path)
    {
        var root = Directory.CreateTempSubdirectory("segcluster-corpus-").FullName;
        try
        {
            var voc = Directory.CreateDirectory(Path.Combine(root, "VOCdevkit")).FullName;
            var copy = Path.Combine(root, Path.GetFileName(path));
            File.WriteAllText(copy, File.ReadAllText(path).Replace("{root}", root));
            var config = RunConfigFile.Load(copy, RunSettings.PaperProtocol with { RunId = "corpus", Voc = voc });
            RunConfigValidator.Validate(config, [root]);
        }
        catch (DataFileException e) when (e.FilePath.StartsWith(root, StringComparison.Ordinal))
        {
            throw new DataFileException(path, e.Reason, e);   // name the corpus file, not the copy with its root filled in
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
