using System.Diagnostics;
using System.Text.Json;
using SegCluster.Learning;
using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Models;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Bench;

/// <summary>
/// `bench parity`: one whole OSLSM episode (decoding the JPEG images and PNG masks, resizing and normalising, both
/// branches, bilinear upsampling to the query's size, the threshold, the IoU) as SegCluster scores it
/// (EpisodeEvaluator, OslsmSolver) and as a plain PyTorch script does it (Debian's python3-torch and PIL,
/// tests/python/oslsm_reference.py), with the same weights, image files and thread count. The sides take turns of
/// several episodes within each round; the ratio is the median over the rounds of the sides' median episode times.
/// Agreement is checked where the two sides compute the same thing: SegCluster's network on PyTorch's network inputs
/// against PyTorch's logits (relative difference), and, separately, the two sides' network inputs (their JPEG
/// decoders and resamplers differ by a grey level here and there), final masks and IoUs.
/// </summary>
public static class ParityBenchmark
{
    /// <param name="ImageSize">the side of the synthetic JPEG images (VOC-like: smaller than the query's input side, larger than the support's)</param>
    public sealed record Settings(string Preset, int ImageSize, int Shots, int Threads, int Rounds, int UntimedPerTurn, int TimedPerTurn)
    {
        public int QuerySize => OslsmPreset.Named(Preset).QuerySize;
        public int SupportSize => OslsmPreset.Named(Preset).SupportSize;
    }

    public static Settings Full(int threads) => new("vgg16-fcn32s", ImageSize: 375, Shots: 1, threads, Rounds: 8, UntimedPerTurn: 1, TimedPerTurn: 5);

    /// <summary>The tiny preset: checks the benchmark works in seconds (VGG-16 weights alone are 0.5 GB to write and read).</summary>
    public static Settings Quick(int threads) => new("tiny", ImageSize: 96, Shots: 1, threads, Rounds: 2, UntimedPerTurn: 1, TimedPerTurn: 2);

    /// <param name="Ratio">the median over the rounds of SegCluster's median episode seconds over PyTorch's</param>
    /// <param name="MaxRelativeLogitDifference">SegCluster's network on PyTorch's inputs against PyTorch's logits, over the largest logit</param>
    /// <param name="MaxInputDifference">the largest difference between the two sides' normalised network inputs (one grey level is about 0.017)</param>
    /// <param name="MaskAgreement">the share of the query's pixels where both sides predict the same</param>
    public sealed record Result(Settings Settings, string Episode, double[] TorchSharpSeconds, double[] PyTorchSeconds, double TorchSharpMedian,
        double PyTorchMedian, double Ratio, double MaxRelativeLogitDifference, double MaxInputDifference, double MaskAgreement, double TorchSharpIou,
        double PyTorchIou, string PyTorchVersion);

    public static Result Run(Settings settings, Action<string> log)
    {
        var dir = Directory.CreateTempSubdirectory("segcluster-parity-").FullName;
        try
        {
            string weights = Path.Combine(dir, "weights.pth"), episodeFile = Path.Combine(dir, "episode.json"), pythonOut = Path.Combine(dir, "pytorch.pth");
            var environment = new Dictionary<string, string> { ["TORCH_THREADS"] = settings.Threads.ToString() };
            log($"writing random {settings.Preset} weights with PyTorch and a synthetic episode of {settings.ImageSize}x{settings.ImageSize} JPEG images");
            // `write` also saves small random inputs and their logits (the parity tests' check); unused here.
            BenchEnvironment.RunPython(environment, "oslsm_reference.py", "write", settings.Preset, "11", weights,
                Path.Combine(dir, "inputs.pth"), Path.Combine(dir, "logits.pth"), "32", "32", "1");
            var (episode, images) = SyntheticEpisode(Path.Combine(dir, "data"), settings);
            File.WriteAllText(episodeFile, JsonSerializer.Serialize(new
            {
                query = images[episode.QueryId].Record.ImagePath,
                queryMask = images[episode.QueryId].Record.MaskPath,
                classId = episode.ClassId,
                supports = episode.SupportIds.Select(id => new { image = images[id].Record.ImagePath, mask = images[id].Record.MaskPath }),
                querySize = settings.QuerySize,
                supportSize = settings.SupportSize,
            }));

            TorchRuntime.Configure(settings.Threads);
            var preset = OslsmPreset.Named(settings.Preset);
            using var network = new OslsmNetwork(preset, seed: 1, CPU);
            ModelWeights.LoadOslsm(network, weights);
            network.eval();
            var solver = new OslsmSolver(network);

            using var server = BenchEnvironment.StartPython(environment, "oslsm_reference.py", "serve", settings.Preset, weights, episodeFile, pythonOut);
            var errors = new System.Text.StringBuilder();
            server.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
            server.BeginErrorReadLine();
            JsonElement Reply()
            {
                var line = server.StandardOutput.ReadLine();
                if (line is null) { server.WaitForExit(); lock (errors) throw new InvalidOperationException($"oslsm_reference.py serve ended: {errors.ToString().Trim()}"); }
                using var reply = JsonDocument.Parse(line);
                return reply.RootElement.Clone();
            }
            var version = Reply().GetProperty("torch").GetString() ?? "";
            var pythonIou = 0.0;
            double PyTorchEpisode()
            {
                server.StandardInput.WriteLine("episode");
                server.StandardInput.Flush();
                var reply = Reply();
                pythonIou = reply.GetProperty("iou").GetDouble();
                return reply.GetProperty("seconds").GetDouble();
            }
            byte[] predicted = [];
            var counts = default(BinaryCounts);
            double TorchSharpEpisode()
            {
                var clock = Stopwatch.StartNew();
                using var input = EpisodeEvaluator.Load(episode, images);
                predicted = solver.Predict(input);
                counts = BinaryCounts.Count(predicted, EpisodeEvaluator.QueryTruth(episode, images));
                return clock.Elapsed.TotalSeconds;
            }

            // Turns of several episodes per side, each turn's first untimed (the first after the other process ran is slow,
            // docs/decisions.md); each side goes first in every other round.
            var sharp = new List<double>();
            var python = new List<double>();
            var roundRatios = new List<double>();
            for (var round = 0; round < settings.Rounds; round++)
            {
                List<double> Turn(Func<double> episode) =>
                    Enumerable.Range(0, settings.UntimedPerTurn + settings.TimedPerTurn).Select(_ => episode()).Skip(settings.UntimedPerTurn).ToList();
                List<double> py, ts;
                if (round % 2 == 0) { py = Turn(PyTorchEpisode); ts = Turn(TorchSharpEpisode); }
                else { ts = Turn(TorchSharpEpisode); py = Turn(PyTorchEpisode); }
                log($"round {round + 1}/{settings.Rounds}: PyTorch {string.Join(" ", py.Select(x => x.ToString("F3")))} s, " +
                    $"TorchSharp {string.Join(" ", ts.Select(x => x.ToString("F3")))} s");
                python.AddRange(py);
                sharp.AddRange(ts);
                roundRatios.Add(BenchEnvironment.Median(ts) / BenchEnvironment.Median(py));
            }
            server.StandardInput.Close();   // the server saves its last episode's inputs, logits and mask, and exits
            server.WaitForExit();
            if (server.ExitCode != 0) lock (errors) throw new InvalidOperationException($"oslsm_reference.py serve failed: {errors.ToString().Trim()}");

            var reference = ModelWeights.ReadStateDict(pythonOut);
            double logitDifference, inputDifference, agreement;
            using (NewDisposeScope())
            using (no_grad())
            {
                var logits = network.call(reference["query"], reference["supports"]);
                logitDifference = (logits - reference["logits"]).abs().max().item<float>() / reference["logits"].abs().max().item<float>();
                using var input = EpisodeEvaluator.Load(episode, images);
                var query = EpisodeTensors.Image(input.Query, preset.QuerySize).unsqueeze(0);
                var supports = stack(input.Supports.Select(s => EpisodeTensors.Image(s.Image, preset.SupportSize, s.Mask, episode.ClassId)));
                inputDifference = Math.Max((query - reference["query"]).abs().max().item<float>(), (supports - reference["supports"]).abs().max().item<float>());
                var pythonMask = reference["mask"].to_type(ScalarType.Byte).flatten().data<byte>().ToArray();
                agreement = (double)predicted.Zip(pythonMask).Count(p => (p.First != 0) == (p.Second != 0)) / predicted.Length;
            }
            var ratio = BenchEnvironment.Median(roundRatios);
            return new Result(settings, episode.ToString(), [.. sharp], [.. python], BenchEnvironment.Median(sharp), BenchEnvironment.Median(python), ratio,
                logitDifference, inputDifference, agreement, counts.ForegroundIou, pythonIou, version);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>
    /// A k-shot episode from a small generated PASCAL-format data set (VOC part: JPEG images, palette PNG masks): the
    /// lowest class found in more than k images, its first image as the query and the next k as supports.
    /// </summary>
    private static (Episode Episode, Dictionary<string, AnnotatedImage> Images) SyntheticEpisode(string root, Settings settings)
    {
        var layout = SyntheticPascal.Generate(root, new SyntheticPascal.Options(Images: 40, Size: settings.ImageSize, Seed: 11));
        var catalog = DataCatalog.Scan(layout.Sources);
        var images = catalog.TrainPool.Concat(catalog.ValPool).Where(i => i.Record.Format == MaskFormat.PalettePng).OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
        var withClass = Enumerable.Range(1, PascalClasses.Count)
            .Select(c => (Class: c, Images: images.Where(i => i.Classes.Contains(c)).ToList()))
            .First(c => c.Images.Count > settings.Shots);
        var episode = new Episode(withClass.Images[0].Id, withClass.Class, withClass.Images.Skip(1).Take(settings.Shots).Select(i => i.Id).ToList());
        return (episode, images.ToDictionary(i => i.Id));
    }
}
