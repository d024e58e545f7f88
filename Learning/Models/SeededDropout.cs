using static TorchSharp.torch;

namespace SegCluster.Learning.Models;

/// <summary>
/// Dropout that draws its masks from the network's own generator instead of torch's process-wide one, so a
/// training run is reproducible (and resumable bit for bit) whatever else runs in the same process.
/// </summary>
public sealed class SeededDropout(double probability, Generator generator) : nn.Module<Tensor, Tensor>(nameof(SeededDropout))
{
    public override Tensor forward(Tensor input)
    {
        if (!training || probability == 0) return input.alias();
        using var scope = NewDisposeScope();
        var keep = rand(input.shape, generator: generator, dtype: input.dtype, device: input.device).ge(probability);
        return input.mul(keep).div(1 - probability).MoveToOuterDisposeScope();
    }
}
