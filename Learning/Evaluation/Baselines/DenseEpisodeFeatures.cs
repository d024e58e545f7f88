using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using TorchSharp;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Evaluation.Baselines;

/// <summary>
/// An episode seen through the base classifier's dense fc7 features: the query and the k supports go through the
/// trunk as one batch (resized to the preset's query size); support pixels are labelled from their masks at the
/// feature grid (void cells dropped). Tensors belong to the caller's dispose scope.
/// </summary>
public sealed record DenseEpisodeFeatures(Tensor Query, Tensor Supports, Tensor SupportLabels, long Height, long Width)
{
    /// <param name="Query">[h*w, C] query features, row-major over the grid.</param>
    /// <param name="Supports">[n, C] features of the labelled support cells.</param>
    /// <param name="SupportLabels">[n] float: 1 the episode's class, 0 background.</param>
    public static DenseEpisodeFeatures Extract(PixelClassifierNetwork network, EpisodeInput episode)
    {
        network.eval();
        return Extract(network.Features, network.Preset.QuerySize, network.Device, episode);
    }

    /// <param name="features">Dense features of a batch of images, [N, C, h, w] (the network in eval mode).</param>
    /// <param name="size">The side the images are resized to.</param>
    /// <param name="device">The device the features' network is on.</param>
    public static DenseEpisodeFeatures Extract(Func<Tensor, Tensor> features, int size, Device device, EpisodeInput episode)
    {
        using var noGrad = no_grad();
        var images = Images(episode, size, device);
        var maps = features(images);                                              // [k+1, C, h, w]
        var (channels, height, width) = (maps.shape[1], maps.shape[2], maps.shape[3]);
        var cells = maps.permute(0, 2, 3, 1).reshape(maps.shape[0], height * width, channels);
        // Masks sampled at the cell centres of the (square) feature grid.
        var labels = episode.Supports.SelectMany(s => CellLabels(s.Mask, episode.ClassId, (int)height)).ToArray();
        var valid = labels.Select((l, i) => (l, i)).Where(p => p.l != PascalClasses.Void).Select(p => (long)p.i).ToArray();
        var index = EpisodeTensors.ToDevice(valid, [valid.Length], device);
        var supports = cells.narrow(0, 1, episode.Supports.Count).reshape(-1, channels).index_select(0, index);
        var supportLabels = EpisodeTensors.ToDevice(valid.Select(i => (float)labels[i]).ToArray(), [valid.Length], device);
        return new DenseEpisodeFeatures(cells[0], supports, supportLabels, height, width);
    }

    /// <summary>The query and then the k supports, resized to size x size and normalised, as one batch [k+1, 3, size, size] on the device.</summary>
    public static Tensor Images(EpisodeInput episode, int size, Device device) =>
        EpisodeTensors.ToDevice(stack(episode.Supports.Select(s => s.Image).Prepend(episode.Query).Select(i => EpisodeTensors.Image(i, size))), device);

    /// <summary>The mask binarised for the class at the centres of a size x size grid: 1, 0, or 255 (void).</summary>
    public static byte[] CellLabels(SegmentationMask mask, int classId, int size) =>
        CellLabels(mask, size, v => v == PascalClasses.Void ? PascalClasses.Void : v == classId ? (byte)1 : (byte)0);

    /// <summary>The mask's labels at the centres of a size x size grid, each mapped by <paramref name="label"/>.</summary>
    public static byte[] CellLabels(SegmentationMask mask, int size, Func<byte, byte> label)
    {
        var result = new byte[size * size];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                result[y * size + x] = label(mask[Math.Min(mask.Width - 1, (2 * x + 1) * mask.Width / (2 * size)),
                    Math.Min(mask.Height - 1, (2 * y + 1) * mask.Height / (2 * size))]);
        return result;
    }

    /// <summary>A coarse foreground score map [h*w] (in 0..1) upsampled bilinearly to the query's size and cut at 0.5.</summary>
    public byte[] ToQueryMask(Tensor foreground, int queryWidth, int queryHeight) => ToQueryMask(foreground, Height, Width, queryWidth, queryHeight);

    /// <summary>The same for any coarse [height*width] map.</summary>
    public static byte[] ToQueryMask(Tensor foreground, long height, long width, int queryWidth, int queryHeight)
    {
        using var scope = NewDisposeScope();
        var full = nn.functional.interpolate(foreground.reshape(1, 1, height, width).to_type(ScalarType.Float32), [queryHeight, queryWidth],
            mode: InterpolationMode.Bilinear, align_corners: false);
        using var half = 0.5.ToScalar();
        return full.gt(half).to_type(ScalarType.Byte).cpu().data<byte>().ToArray();
    }
}
