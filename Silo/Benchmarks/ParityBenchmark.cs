using System.Diagnostics;
using System.Text.Json;
using SegCluster.Learning;
using SegCluster.Learning.Models;
using static TorchSharp.torch;

namespace SegCluster.Silo.Benchmarks;

/// <summary>
/// `bench parity`: the OSLSM forward pass (both branches, the k classifiers, bilinear upsampling) in TorchSharp and
/// in plain PyTorch (Debian's python3-torch, tests/python/oslsm_reference.py), same weights, inputs and thread
/// count, one forward on each side in turn; the median of the pairs' time ratios and the largest relative logit
/// difference. Pairs, not rounds of several forwards: this shared machine's speed drifts within seconds (single
/// forwards of either side ranged 0.9-3.5 s in one run), and a pair sees both sides in the same moment.
/// </summary>
public static class ParityBenchmark
{
    public sealed record Settings(string Preset, int QuerySize, int SupportSize, int Shots, int Threads, int Warmup, int Pairs);

    public static Settings Full(int threads) => new("vgg16-fcn32s", 500, 224, 1, threads, Warmup: 2, Pairs: 12);

    /// <summary>The tiny preset: checks the benchmark works in seconds (VGG-16 weights alone are 0.5 GB to write and read).</summary>
    public static Settings Quick(int threads) => new("tiny", 128, 64, 1, threads, Warmup: 1, Pairs: 3);

    /// <param name="Ratio">the median over the pairs of TorchSharp's seconds over PyTorch's</param>
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
            Tensor? logits = null;
            using var server = BenchEnvironment.StartPython(environment, "oslsm_reference.py", "serve", settings.Preset, weights, inputs, pythonLogits);
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
            double PyTorchForward()
            {
                server.StandardInput.WriteLine("forward");
                server.StandardInput.Flush();
                return Reply().GetProperty("seconds").GetDouble();
            }
            double TorchSharpForward()
            {
                var clock = Stopwatch.StartNew();
                logits?.Dispose();
                using (no_grad()) logits = network.call(query, supports);
                return clock.Elapsed.TotalSeconds;
            }
            for (var i = 0; i < settings.Warmup + settings.Pairs; i++)
            {
                // Each side goes first in every other pair, so neither always starts while the other's threads wind down.
                double py, ts;
                if (i % 2 == 0) { py = PyTorchForward(); ts = TorchSharpForward(); }
                else { ts = TorchSharpForward(); py = PyTorchForward(); }
                if (i < settings.Warmup) continue;
                log($"pair {i - settings.Warmup + 1}/{settings.Pairs}: PyTorch {py:F3} s, TorchSharp {ts:F3} s");
                python.Add(py);
                sharp.Add(ts);
            }
            server.StandardInput.Close();   // the server saves its last logits and exits
            server.WaitForExit();
            if (server.ExitCode != 0) lock (errors) throw new InvalidOperationException($"oslsm_reference.py serve failed: {errors.ToString().Trim()}");
            var reference = ModelWeights.ReadStateDict(pythonLogits)["logits"];
            var difference = (logits! - reference).abs().max().item<float>() / reference.abs().max().item<float>();
            var ratio = BenchEnvironment.Median(sharp.Zip(python, (ts, py) => ts / py));
            return new Result(settings, [.. sharp], [.. python], BenchEnvironment.Median(sharp), BenchEnvironment.Median(python), ratio, difference, version);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
