using SegCluster.Learning.Models;
using static TorchSharp.torch;

namespace SegCluster.Learning.Evaluation.Baselines;

/// <summary>
/// The Siamese dense-matching baseline (paper section 6): each query cell takes the label of the support cell the
/// trained similarity rates highest. 1-shot, as in the paper.
/// </summary>
public sealed class SiameseSolver(SiameseNetwork network) : IEpisodeSolver
{
    public string Method => "siamese";

    public byte[] Predict(EpisodeInput episode)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.eval();
        var dense = DenseEpisodeFeatures.Extract(images => network.call(images), network.Preset.QuerySize, episode);
        if (dense.SupportLabels.shape[0] == 0) return new byte[episode.Query.Width * episode.Query.Height];
        var nearest = network.Similarity(dense.Query, dense.Supports).argmax(1);
        return dense.ToQueryMask(dense.SupportLabels.index_select(0, nearest), episode.Query.Width, episode.Query.Height);
    }
}
