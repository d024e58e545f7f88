using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegCluster.Learning.Models;

/// <summary>
/// Counts the floating-point operations of the convolution and linear layers a network runs, per layer, through
/// forward hooks (2 x multiply-adds: for a convolution 2 x weight elements x output positions). Functional
/// operations outside modules (distances, regressions) are not seen: benchmarks add those analytically.
/// </summary>
public sealed class FlopCounter : IDisposable
{
    private readonly List<Action> removers = [];
    private readonly Dictionary<string, long> byLayer = [];

    public FlopCounter(nn.Module network)
    {
        foreach (var (name, module) in network.named_modules())
            switch (module)
            {
                case Conv2d conv:
                    removers.Add(conv.register_forward_hook((_, _, output) =>
                    {
                        Add(name, 2 * conv.weight!.numel() * output.shape[0] * output.shape[2] * output.shape[3]);
                        return null!;
                    }).remove);
                    break;
                case Linear linear:
                    removers.Add(linear.register_forward_hook((_, _, output) =>
                    {
                        Add(name, 2 * linear.weight!.numel() * (output.numel() / output.shape[^1]));
                        return null!;
                    }).remove);
                    break;
            }
    }

    public long Total => byLayer.Values.Sum();

    public IReadOnlyDictionary<string, long> ByLayer => byLayer;

    private void Add(string layer, long flops) => byLayer[layer] = byLayer.GetValueOrDefault(layer) + flops;

    public void Dispose()
    {
        foreach (var remove in removers) remove();
    }
}
