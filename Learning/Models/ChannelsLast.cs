using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegCluster.Learning.Models;

/// <summary>
/// Channels-last (NHWC) memory order for one module's VGG/AlexNet feature convolutions at scoring time: with weights
/// and images in this order oneDNN convolves without converting each layer's activations to its blocked layout and
/// back (docs/decisions.md). fc6 and fc7 stay in the default order: oneDNN reorders fc6's large weight from
/// channels-last far slower than from the default order. Values are unchanged. Scoring only: TorchSharp saves only contiguous tensors, so a network that is still
/// checkpointed keeps the default order. Each owner of feature convolutions holds one and orders its own input.
/// </summary>
public sealed class ChannelsLast
{
    private readonly Lock gate = new();
    private volatile bool on;

    /// <summary>
    /// Moves the weights of every convolution in <paramref name="features"/> to channels-last order, in place, once.
    /// Silos score with one cached network from several grains at once: the weights change before any caller returns,
    /// so no forward pass reads a weight being replaced.
    /// </summary>
    public void Apply(nn.Module features)
    {
        lock (gate)
        {
            if (on) return;
            using var noGrad = no_grad();
            foreach (var convolution in features.modules().OfType<Conv2d>())
                convolution.weight!.set_(Of(convolution.weight!));
            on = true;
        }
    }

    /// <summary>The images in the order the features' weights are in.</summary>
    public Tensor Order(Tensor images) => on ? Of(images) : images;

    /// <summary>The same values laid out NHWC in memory (the logical shape stays [N, C, H, W]).</summary>
    private static Tensor Of(Tensor x) => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
}
