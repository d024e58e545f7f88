using SegCluster.Contracts;
using SegCluster.Learning.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SegCluster.Learning.Evaluation.Baselines;

/// <summary>
/// The 1-NN baseline (paper section 6): each query cell takes the label of its nearest labelled support cell in
/// the base classifier's fc7 feature space (Euclidean), then the label map is upsampled to the query.
/// </summary>
public sealed class NearestNeighbourSolver(PixelClassifierNetwork network) : IEpisodeSolver
{
    /// <summary>Query rows per distance block: bounds the distance matrix for large grids and 5 supports.</summary>
    private const long Block = 2048;

    public Method Method => Method.NearestNeighbour;

    public Device Device => network.Device;

    public byte[] Predict(EpisodeInput episode)
    {
        network.UseChannelsLast();   // the scoring layout, switched once
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var dense = DenseEpisodeFeatures.Extract(network, episode);
        if (dense.SupportLabels.shape[0] == 0) return new byte[episode.Query.Width * episode.Query.Height];
        return dense.ToQueryMask(Classify(dense.Supports, dense.SupportLabels, dense.Query), episode.Query.Width, episode.Query.Height);
    }

    /// <summary>Labels [m] of the query rows [m, C]: the label of the nearest support row [n, C] (ties: the first).</summary>
    public static Tensor Classify(Tensor supports, Tensor labels, Tensor queries)
    {
        using var scope = NewDisposeScope();
        var blocks = new List<Tensor>();
        for (long start = 0; start < queries.shape[0]; start += Block)
        {
            var rows = queries.narrow(0, start, Math.Min(Block, queries.shape[0] - start));
            blocks.Add(labels.index_select(0, cdist(rows, supports).argmin(1)));
        }
        return cat(blocks, 0).MoveToOuterDisposeScope();
    }
}
