using TorchSharp;
using static TorchSharp.torch;

namespace SegCluster.Learning.Models;

/// <summary>
/// Dropout that draws its masks from the network's own generator instead of torch's process-wide one, so a
/// training run is reproducible (and resumable bit for bit) whatever else runs in the same process.
/// </summary>
public sealed class SeededDropout : nn.Module<Tensor, Tensor>
{
    private readonly double probability;
    private readonly Generator generator;
    // Scalars are held for the module's lifetime: an implicit double-to-Scalar conversion in a hot loop can be
    // finalised by the GC while libtorch still reads it.
    private readonly Scalar dropProbability;
    private readonly Scalar keepProbability;

    public SeededDropout(double probability, Generator generator) : base(nameof(SeededDropout))
    {
        this.probability = probability;
        this.generator = generator;
        dropProbability = probability.ToScalar();
        keepProbability = (1 - probability).ToScalar();
    }

    public override Tensor forward(Tensor input)
    {
        if (!training || probability == 0) return input.alias();
        using var scope = NewDisposeScope();
        var keep = rand(input.shape, generator: generator, dtype: input.dtype, device: input.device).ge(dropProbability);
        return input.mul(keep).div(keepProbability).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            dropProbability.Dispose();
            keepProbability.Dispose();
        }
        base.Dispose(disposing);
    }
}
