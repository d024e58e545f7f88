using SegCluster.Contracts;

namespace SegCluster.Experiment;

/// <summary>Checks a run config before anything starts; every problem names the field and the reason.</summary>
public static class RunConfigValidator
{
    /// <param name="checkPaths">false where the paths are the silos' and not this machine's (a client checking before it submits)</param>
    public static void Validate(RunConfig config, IReadOnlyList<string> dataRoots, bool checkPaths = true)
    {
        var errors = new List<string>();
        void Check(bool ok, string field, string reason) { if (!ok) errors.Add($"{field}: {reason}"); }

        Check(config.RunId.Length is > 0 and <= 64 && config.RunId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'),
            "runId", "1..64 letters, digits, '-' or '_'");
        Check(config.Folds.Length > 0 && config.Folds.All(f => f is >= 0 and <= 3) && config.Folds.Distinct().Count() == config.Folds.Length,
            "folds", "distinct values in 0..3");
        Check(config.Shots.Length > 0 && config.Shots.All(k => k is >= 1 and <= 20), "shots", "values in 1..20");
        Check(config.Methods.Length > 0 && config.Methods.All(MethodCatalog.IsKnown),
            "methods", $"known methods are {string.Join(", ", MethodCatalog.Names)}");
        Check(OslsmPreset.All.Any(p => p.Name == config.Preset), "preset", $"known presets are {string.Join(", ", OslsmPreset.All.Select(p => p.Name))}");
        Check(config.QuerySize is >= 32 and <= 2048, "querySize", "32..2048");
        Check(config.SupportSize is >= 32 and <= 2048, "supportSize", "32..2048");
        Check(config.Iterations is >= 1 and <= 10_000_000, "iterations", "1..10000000");
        Check(!config.Methods.Where(MethodCatalog.IsKnown).Any(m => MethodCatalog.NetworkOf(m) == "base-classifier") || config.BaseIterations is >= 1 and <= 10_000_000,
            "baseIterations", "1..10000000 (the base classifier of 1-nn, logreg, finetune and co-segmentation)");
        Check(!config.Methods.Contains("siamese") || config.SiameseIterations is >= 1 and <= 10_000_000, "siameseIterations", "1..10000000");
        Check(!config.Methods.Contains("siamese") || config.SiameseSupportSampling is > 0 and <= 1, "siameseSupportSampling", "a share in (0, 1]");
        Check(string.IsNullOrEmpty(config.InferencePrecision) || InferencePrecision.Names.Contains(config.InferencePrecision),
            "inferencePrecision", string.Join(" or ", InferencePrecision.Names));
        foreach (var method in config.Methods.Where(MethodCatalog.IsKnown))
            Check(config.Shots.Any(k => MethodCatalog.Supports(method, k)), "methods",
                $"{method} runs for none of the requested shots (co-segmentation needs more than 1, finetune and siamese are 1-shot)");
        if (config.Methods.Contains("finetune"))
        {
            Check(config.FineTuneIterations is >= 1 and <= 100_000, "fineTuneIterations", "1..100000");
            Check(config.FineTuneLearningRate > 0 && double.IsFinite(config.FineTuneLearningRate), "fineTuneLearningRate", "a positive number");
        }
        Check(config.CheckpointEvery >= 1, "checkpointEvery", "at least 1");
        Check(config.ProgressEvery >= 1, "progressEvery", "at least 1");
        Check(config.Episodes is >= 1 and <= 100_000, "episodes", "1..100000");
        Check(config.BatchSize is >= 1 and <= 1000, "batchSize", "1..1000");
        Check(config.LearningRate > 0 && double.IsFinite(config.LearningRate), "learningRate", "a positive number");
        Check(config.Momentum is >= 0 and < 1, "momentum", "0 <= momentum < 1");
        Check(config.Optimizer is "sgd" or "adam", "optimizer", "sgd or adam");
        Check(config.Threshold is > 0 and < 1, "threshold", "between 0 and 1");
        Check(config.MinClassPixels >= 1, "minClassPixels", "at least 1");
        CheckPath(config.Voc, "voc", required: true);
        CheckPath(config.Sbd, "sbd", required: false);
        CheckPath(config.Aug, "aug", required: false);
        CheckPath(config.ImageNetWeights, "imageNetWeights", required: false, file: true);
        CheckPath(config.EpisodeLists, "episodeLists", required: false);
        CheckPath(config.FoldLists, "foldLists", required: false);
        if (errors.Count > 0) throw new ArgumentException("invalid run config: " + string.Join("; ", errors));

        void CheckPath(string? path, string field, bool required, bool file = false)
        {
            if (string.IsNullOrEmpty(path)) { Check(!required, field, "required"); return; }
            if (path.Length > 1024) { errors.Add($"{field}: path longer than 1024 characters"); return; }
            if (!checkPaths) return;
            string full;
            try { full = Path.GetFullPath(path); }
            catch (Exception e) { errors.Add($"{field}: not a path ({e.Message})"); return; }
            if (dataRoots.Count > 0 && !dataRoots.Any(root => IsUnder(full, root)))
            {
                errors.Add($"{field}: '{path}' is outside the configured data roots");
                return;
            }
            Check(file ? File.Exists(full) : Directory.Exists(full), field, $"'{path}' does not exist");
        }
    }

    public static bool IsUnder(string fullPath, string root)
    {
        var normalisedRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        return (fullPath + Path.DirectorySeparatorChar).StartsWith(normalisedRoot, StringComparison.Ordinal);
    }
}
