using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using SegCluster.Experiment;

namespace SegCluster.Learning.Models;

/// <summary>
/// The Siamese baseline's network (paper section 6): one FCN trunk applied to both images (weights shared), a 1x1
/// embedding per cell, and a learned similarity, logit = scale * cos(a, b) + offset, trained on D_train to tell
/// whether two cells show the same label.
/// </summary>
public sealed class SiameseNetwork : Module<Tensor, Tensor>, ISeededNetwork
{
    private readonly SegmentationTrunk segmentation;
    private readonly Conv2d embedding;
    private readonly Parameter scale;
    private readonly Parameter offset;
    public OslsmPreset Preset { get; }

    /// <summary>The device its parameters live on; inputs are made there.</summary>
    public Device Device { get; }

    public NetworkGenerators Generators { get; }

    public SiameseNetwork(OslsmPreset preset, ulong seed, Device device) : base(nameof(SiameseNetwork))
    {
        Preset = preset;
        Device = device;
        Generators = new NetworkGenerators(seed, "siamese", device);
        segmentation = SegmentationTrunk.Create(preset, Generators.Dropout, device);
        embedding = Conv2d(preset.FullyConnected, Math.Min(preset.FullyConnected, 256), 1, device: device);
        // A cosine in [-1, 1] needs a scale to reach confident logits; start at 5 around an even prior.
        scale = new Parameter(tensor(5f, device: device));
        offset = new Parameter(tensor(0f, device: device));
        RegisterComponents();
        SeededInitialisation.Apply(this, Generators.Initialisation);
    }

    /// <summary>Switches the trunk's feature convolutions to channels-last order for scoring (<see cref="ChannelsLast"/>).</summary>
    public void UseChannelsLast() => segmentation.UseChannelsLast();

    /// <summary>Unit-length cell embeddings, [N, E, h, w].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var tiny = 1e-12.ToScalar();
        var e = embedding.call(segmentation.call(images));
        return e.div(e.norm(1, keepdim: true).clamp_min(tiny)).MoveToOuterDisposeScope();
    }

    /// <summary>Similarity logits [n, m] between unit embeddings a [n, E] and b [m, E].</summary>
    public Tensor Similarity(Tensor a, Tensor b)
    {
        using var one = 1.0.ToScalar();
        return a.matmul(b.t()).mul(scale).add(offset, one);
    }
}
