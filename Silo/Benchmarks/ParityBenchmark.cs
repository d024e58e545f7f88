using System.Diagnostics;
using System.Text.Json;
using SegCluster.Learning;
using SegCluster.Learning.Models;
using static TorchSharp.torch;

namespace SegCluster.Silo.Benchmarks;

/// <summary>
/// `bench parity`: the OSLSM forward pass (both branches, the k classifiers, bilinear upsampling) in TorchSharp and
/// in plain PyTorch (Debian's python3-torch, tests/python/oslsm_reference.py), same weights, inputs and thread
/// count, in alternating rounds of one run; the time ratio of the medians and the largest relative logit difference.
/// </summary>
public static class ParityBenchmark
{
    public sealed record Settings(string Preset, int QuerySize, int SupportSize, int Shots, int Threads, int Warmup, int Repeats, int Rounds);

    public static Settings Full(int threads) => new("vgg16-fcn32s", 500, 224, 1, threads, Warmup: 2, Repeats: 5, Rounds: 2);

    /// <summary>The tiny preset: checks the benchmark works in seconds (VGG-16 weights alone are 0.5 GB to write and read).</summary>
    public static Settings Quick(int threads) => new("tiny", 128, 64, 1, threads, Warmup: 1, Repeats: 3, Rounds: 1);

    public sealed record Result(Settings Settings, double[] TorchSharpSeconds, double[] PyTorchSeconds, double TorchSharpMedian, double PyTorchMedian,
        double Ratio, double MaxRelativeLogitDifference, string PyTorchVersion);

    public static Result Run(Settings settings, Action<string> log)
    {
        var dir = Directory.CreateTempSubdirectory("segcluster-parity-").FullName;
        try
        {
            string weights = Path.Combine(dir, "weights.pth"), inputs = Path.Combine(dir, "inputs.pth"), pythonLogits = Path.Combine(dir, "logits.pth");
            var environment = new Dictionary<string, string> { ["TORCH_THREADS"] = settings.Threads.ToString() };
            log($"writing random {settings.Preset} weights and inputs with PyTorch");
            BenchEnvironment.RunPython(environment, "oslsm_reference.py", "write", settings.Preset, "11", weights, inputs, pythonLogits,
                settings.QuerySize.ToString(), settings.SupportSize.ToString(), settings.Shots.ToString());

            TorchRuntime.Configure(settings.Threads);
            using var network = new OslsmNetwork(OslsmPreset.Named(settings.Preset), seed: 1);
            ModelWeights.LoadOslsm(network, weights);
            network.eval();
            var x = ModelWeights.ReadStateDict(inputs);
            var (query, supports) = (x["query"], x["supports"]);

            var sharp = new List<double>();
            var python = new List<double>();
            var version = "";
            Tensor? logits = null;
            for (var round = 1; round <= settings.Rounds; round++)
            {
                log($"round {round}/{settings.Rounds}: PyTorch");
                using var reply = JsonDocument.Parse(BenchEnvironment.RunPython(environment, "oslsm_reference.py", "time", settings.Preset, weights, inputs,
                    pythonLogits, settings.Warmup.ToString(), settings.Repeats.ToString()));
                python.AddRange(reply.RootElement.GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble()));
                version = reply.RootElement.GetProperty("torch").GetString() ?? "";

                log($"round {round}/{settings.Rounds}: TorchSharp");
                for (var i = 0; i < settings.Warmup + settings.Repeats; i++)
                {
                    var clock = Stopwatch.StartNew();
                    logits?.Dispose();
                    using (no_grad()) logits = network.call(query, supports);
                    if (i >= settings.Warmup) sharp.Add(clock.Elapsed.TotalSeconds);
                }
            }
            var reference = ModelWeights.ReadStateDict(pythonLogits)["logits"];
            var difference = (logits! - reference).abs().max().item<float>() / reference.abs().max().item<float>();
            double sharpMedian = BenchEnvironment.Median(sharp), pythonMedian = BenchEnvironment.Median(python);
            return new Result(settings, [.. sharp], [.. python], sharpMedian, pythonMedian, sharpMedian / pythonMedian, difference, version);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
