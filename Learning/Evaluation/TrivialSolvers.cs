using SegCluster.Contracts;
using SegCluster.Learning.Data;
using static TorchSharp.torch;

namespace SegCluster.Learning.Evaluation;

/// <summary>Predicts the whole query as the class: the floor any learned method must clear.</summary>
public sealed class AllForegroundSolver : IEpisodeSolver
{
    public Method Method => Method.AllForeground;

    public Device Device => CPU;

    public byte[] Predict(EpisodeInput episode)
    {
        var mask = new byte[episode.Query.Width * episode.Query.Height];
        Array.Fill(mask, (byte)1);
        return mask;
    }
}

/// <summary>Copies the (first) support's mask for the class onto the query, resized: a "no learning" reference.</summary>
public sealed class SupportMaskSolver : IEpisodeSolver
{
    public Method Method => Method.CopySupportMask;

    public Device Device => CPU;

    public byte[] Predict(EpisodeInput episode)
    {
        var support = episode.Supports[0].Mask;
        int width = episode.Query.Width, height = episode.Query.Height;
        var mask = new byte[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                mask[y * width + x] = support[x * support.Width / width, y * support.Height / height] == episode.ClassId ? (byte)1 : (byte)0;
        return mask;
    }
}
