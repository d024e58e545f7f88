using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegCluster.Learning.Models;

/// <summary>A network whose random state (initial weights, dropout) comes from its own generator, saved in checkpoints.</summary>
public interface ISeededNetwork
{
    byte[] GeneratorState { get; set; }
}

/// <summary>Seeded initialisation shared by the networks, so every random choice flows from a run's seed.</summary>
public static class SeededInitialisation
{
    /// <summary>
    /// PyTorch's default initialisation (weights and biases uniform in +-1/sqrt(fan_in), what kaiming_uniform with
    /// a = sqrt(5) gives), drawn in parameter order from the network's generator.
    /// </summary>
    public static void Apply(nn.Module network, Generator generator)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var module in network.modules())
        {
            var weight = module switch { Conv2d c => c.weight, Linear l => l.weight, _ => null };
            if (weight is null) continue;
            var bias = module switch { Conv2d c => c.bias, Linear l => l.bias, _ => null };
            var fanIn = weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            using var width = (2.0 / Math.Sqrt(fanIn)).ToScalar();
            using var offset = (-1.0 / Math.Sqrt(fanIn)).ToScalar();
            using var one = 1.0.ToScalar();   // explicit alpha: TorchSharp's default would be an implicit Scalar
            weight.copy_(rand(weight.shape, generator: generator).mul(width).add(offset, alpha: one));
            bias?.copy_(rand(bias.shape, generator: generator).mul(width).add(offset, alpha: one));
        }
    }

    public static Generator Create(ulong seed, string purpose = "torch-generator") => new(SeededRandom.Derive(seed, purpose).NextUInt64() & long.MaxValue);

    public static byte[] GetState(Generator generator)
    {
        using var state = generator.get_state();
        return state.bytes.ToArray();
    }

    public static void SetState(Generator generator, byte[] value)
    {
        using var state = generator.get_state();
        state.bytes = value;
        generator.set_state(state);
    }
}
