using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Models;

/// <summary>
/// The weight-hashing layer of the paper (HashedNets, Chen et al. 2015): output j = sign_j * input[hash(j)], with a
/// fixed, seeded hash and sign; no learned parameters. Equivalent to a fully connected layer whose fixed weight
/// matrix has one +-1 per row, computed as a gather. Hash and sign are buffers, saved with the model.
/// </summary>
public sealed class WeightHashing : nn.Module<Tensor, Tensor>
{
    private readonly Tensor index;
    private readonly Tensor sign;

    public WeightHashing(int inputs, int outputs, ulong seed, Device device) : base(nameof(WeightHashing))
    {
        var random = SeededRandom.Derive(seed, "weight-hashing");
        var hash = new long[outputs];
        var signs = new float[outputs];
        for (var j = 0; j < outputs; j++)
        {
            hash[j] = random.Next(inputs);
            signs[j] = random.Next(2) == 0 ? -1f : 1f;
        }
        index = tensor(hash, device: device);
        sign = tensor(signs, device: device);
        register_buffer("index", index);
        register_buffer("sign", sign);
    }

    /// <param name="input">[batch, inputs]</param>
    /// <returns>[batch, outputs]</returns>
    public override Tensor forward(Tensor input) => input.index_select(1, index).mul(sign);
}
