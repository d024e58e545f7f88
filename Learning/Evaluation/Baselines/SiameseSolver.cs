using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using static TorchSharp.torch;

namespace SegCluster.Learning.Evaluation.Baselines;

/// <summary>
/// The Siamese dense-matching baseline (paper section 6): each query cell takes the label of the support cell the
/// trained similarity rates highest. 1-shot, as in the paper. With a sampling rate below 1 (the paper mentions 0.3),
/// each episode keeps that share of the support cells, drawn from a generator seeded once per solver, so the same
/// episodes in the same order give the same masks.
/// </summary>
public sealed class SiameseSolver : IEpisodeSolver
{
    private readonly SiameseNetwork network;
    private readonly double supportSampling;
    private readonly Generator? sampler;

    /// <param name="supportSampling">share of the support cells kept, in (0, 1]</param>
    public SiameseSolver(SiameseNetwork network, double supportSampling = 1, ulong seed = 0)
    {
        if (supportSampling is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(supportSampling), supportSampling, "a share in (0, 1]");
        this.network = network;
        this.supportSampling = supportSampling;
        if (supportSampling < 1) sampler = new Generator(seed);
    }

    public Method Method => Method.Siamese;

    public Device Device => network.Device;

    public byte[] Predict(EpisodeInput episode)
    {
        network.UseChannelsLast();   // the scoring layout, switched once
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.eval();
        var dense = DenseEpisodeFeatures.Extract(images => network.call(images), network.Preset.QuerySize, network.Device, episode);
        var count = dense.SupportLabels.shape[0];
        if (count == 0) return new byte[episode.Query.Width * episode.Query.Height];
        var (supports, labels) = (dense.Supports, dense.SupportLabels);
        if (sampler is not null)
        {
            // Drawn on the CPU, so the same seed keeps the same cells on every device.
            var drawn = randperm(count, generator: sampler, device: CPU).narrow(0, 0, Math.Max(1, (long)Math.Round(supportSampling * count))).sort().Values;
            var kept = EpisodeTensors.ToDevice(drawn, network.Device);
            (supports, labels) = (supports.index_select(0, kept), labels.index_select(0, kept));
        }
        var nearest = network.Similarity(dense.Query, supports).argmax(1);
        return dense.ToQueryMask(labels.index_select(0, nearest), episode.Query.Width, episode.Query.Height);
    }
}
