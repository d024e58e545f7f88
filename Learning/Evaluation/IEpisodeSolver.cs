using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace SegCluster.Learning.Evaluation;

/// <summary>A support example: an image and its label mask (the class to learn is the episode's).</summary>
public sealed record SupportExample(Image<Rgb24> Image, SegmentationMask Mask);

/// <summary>What every method sees of an episode: k labelled supports, the class, and the query image. Disposing it frees the decoded images.</summary>
public sealed record EpisodeInput(Image<Rgb24> Query, IReadOnlyList<SupportExample> Supports, int ClassId) : IDisposable
{
    public void Dispose()
    {
        Query.Dispose();
        foreach (var s in Supports) s.Image.Dispose();
    }
}

/// <summary>
/// One few-shot segmentation method (OSLSM or a baseline): support images and masks plus a query image in,
/// a binary query mask (1 = class) at the query's own size out. Scored and timed by the same episode code.
/// </summary>
public interface IEpisodeSolver
{
    /// <summary>The method it is (its name in tables: oslsm, 1-nn, ...).</summary>
    Method Method { get; }

    /// <summary>The device its tensors are on (the trivial references, which make none, say the CPU).</summary>
    Device Device { get; }

    byte[] Predict(EpisodeInput episode);
}
