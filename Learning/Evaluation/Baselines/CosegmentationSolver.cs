using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SegCluster.Learning.Evaluation.Baselines;

/// <summary>
/// This project's stand-in for the paper's co-segmentation row (Faktor and Irani, "Co-segmentation by
/// composition", ICCV 2013, whose Matlab code is not available): unsupervised, it reads the k support images and
/// the query but never a mask. All their cells' base-network fc7 features (L2-normalised) are split into two
/// clusters by k-means, started from the mean border cell (backgrounds touch the image border) and the cell
/// farthest from it; the cluster holding the smaller share of border cells is the common foreground. Labelled as
/// a stand-in wherever it is shown.
/// </summary>
public sealed class CosegmentationSolver(PixelClassifierNetwork network, int iterations = 10) : IEpisodeSolver
{
    public Method Method => Method.Cosegmentation;

    public Device Device => network.Device;

    public byte[] Predict(EpisodeInput episode)
    {
        network.UseChannelsLast();   // the scoring layout, switched once
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // Only the images are read: the supports' masks never reach the method.
        var size = network.Preset.QuerySize;
        network.eval();
        var images = DenseEpisodeFeatures.Images(episode, size, network.Device);
        var features = network.Features(images);                              // [k+1, C, h, w]
        var (height, width) = (features.shape[2], features.shape[3]);
        var cells = LogisticRegressionSolver.Normalise(features.permute(0, 2, 3, 1).reshape(-1, features.shape[1]));
        var border = EpisodeTensors.ToDevice(BorderCells(features.shape[0], height, width), network.Device);
        var foreground = Foreground(cells, border, iterations);
        var query = foreground.narrow(0, 0, height * width);
        return DenseEpisodeFeatures.ToQueryMask(query, height, width, episode.Query.Width, episode.Query.Height);
    }

    /// <summary>1 for cells of the foreground cluster, 0 otherwise ([n] float), from 2-means over the rows [n, C].</summary>
    public static Tensor Foreground(Tensor cells, Tensor border, int iterations)
    {
        using var scope = NewDisposeScope();
        var background = cells.index_select(0, border.nonzero().squeeze(1)).mean([0]);
        var seed = cells[cdist(cells, background.unsqueeze(0)).squeeze(1).argmax()];
        var centres = stack([background, seed]);
        // Scalars held explicitly: implicit conversions in a loop can be finalised while libtorch reads them.
        using var zero = 0.0.ToScalar();
        using var one = 1.0.ToScalar();
        using var first = 0L.ToScalar();
        using var second = 1L.ToScalar();
        var assignment = zeros(cells.shape[0], ScalarType.Int64, device: cells.device);
        for (var i = 0; i < iterations; i++)
        {
            assignment = cdist(cells, centres).argmin(1);
            var members = stack([assignment.eq(first), assignment.eq(second)]).to_type(ScalarType.Float32);   // [2, n]
            var counts = members.sum(1, keepdim: true);
            var updated = members.matmul(cells).div(counts.clamp_min(one));
            // An empty cluster keeps its centre.
            centres = where(counts.gt(zero), updated, centres);
        }
        var borderFloat = border.to_type(ScalarType.Float32);
        Tensor BorderShare(Scalar cluster)
        {
            var member = assignment.eq(cluster).to_type(ScalarType.Float32);
            return member.mul(borderFloat).sum().div(member.sum().clamp_min(one));
        }
        var foregroundCluster = stack([BorderShare(first), BorderShare(second)]).argmin();
        return assignment.eq(foregroundCluster).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>[images*h*w] bool on the CPU: the cells on each image's outer ring.</summary>
    public static Tensor BorderCells(long images, long height, long width)
    {
        var ring = new bool[images * height * width];
        for (long i = 0; i < images; i++)
            for (long y = 0; y < height; y++)
                for (long x = 0; x < width; x++)
                    ring[(i * height + y) * width + x] = y == 0 || x == 0 || y == height - 1 || x == width - 1;
        return tensor(ring, device: CPU);
    }
}
