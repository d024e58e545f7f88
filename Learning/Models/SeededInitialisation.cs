using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Models;

/// <summary>A network whose random state (initial weights, dropout) comes from its own generators, saved in checkpoints.</summary>
public interface ISeededNetwork
{
    NetworkGenerators Generators { get; }
}

/// <summary>
/// A network's two generators. Initial weights are drawn on the CPU from the seed, whatever the device, so a network
/// starts from the same weights on every device. Dropout draws on the network's device: on the CPU from the very
/// generator that drew the weights (as every release before devices did, so CPU runs are unchanged), on a GPU from a
/// generator of that GPU seeded from the same seed.
/// </summary>
public sealed class NetworkGenerators
{
    private readonly ulong seed;
    private readonly string purpose;

    public NetworkGenerators(ulong seed, string purpose, Device device)
    {
        this.seed = seed;
        this.purpose = purpose;
        Initialisation = SeededInitialisation.Create(seed, purpose);
        Dropout = device.type == DeviceType.CPU ? Initialisation : new Generator((ulong)DropoutSeed(0), device);
    }

    /// <summary>On the CPU; draws the initial weights.</summary>
    public Generator Initialisation { get; }

    /// <summary>On the network's device; draws dropout masks.</summary>
    public Generator Dropout { get; }

    /// <summary>The device type dropout's state belongs to ("cpu", "cuda"), saved beside it.</summary>
    public string DropoutDevice => Dropout.device.type.ToString().ToLowerInvariant();

    /// <summary>Dropout's state (masks to come), saved in checkpoints.</summary>
    public byte[] DropoutState
    {
        get => SeededInitialisation.GetState(Dropout);
        set => SeededInitialisation.SetState(Dropout, value);
    }

    /// <summary>
    /// Restores dropout's state saved after <paramref name="iteration"/>. A state of another device type (a fold
    /// checkpointed on a GPU, resumed on a CPU) cannot be carried over: dropout is then seeded from the seed and the
    /// iteration, so a resume is still reproducible, if not the same stream as the uninterrupted run.
    /// </summary>
    public void Restore(byte[] state, string savedOn, int iteration)
    {
        if (savedOn == DropoutDevice) DropoutState = state;
        else Dropout.manual_seed(DropoutSeed(iteration));
    }

    private long DropoutSeed(int iteration) =>
        (long)(SeededRandom.Derive(seed, $"{purpose}-dropout-after-{iteration}").NextUInt64() & long.MaxValue);
}

/// <summary>Seeded initialisation shared by the networks, so every random choice flows from a run's seed.</summary>
public static class SeededInitialisation
{
    /// <summary>
    /// PyTorch's default initialisation (weights and biases uniform in +-1/sqrt(fan_in), what kaiming_uniform with
    /// a = sqrt(5) gives), drawn in parameter order from the network's CPU generator and copied to its device.
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
            weight.copy_(rand(weight.shape, generator: generator, device: generator.device).mul(width).add(offset, alpha: one));
            bias?.copy_(rand(bias.shape, generator: generator, device: generator.device).mul(width).add(offset, alpha: one));
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
