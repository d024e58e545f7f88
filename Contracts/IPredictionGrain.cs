namespace SegCluster.Contracts;

/// <summary>An uploaded image file: the name it was uploaded under (errors name it) and its bytes.</summary>
[GenerateSerializer, Immutable]
public sealed record UploadedFile([property: Id(0)] string Name, [property: Id(1)] byte[] Bytes)
{
    /// <summary>The largest upload accepted, per file (a 4096x4096 PNG fits).</summary>
    public const int MaxBytes = 16 << 20;
}

/// <summary>
/// One query to segment with a stored run's trained fold: the method, k support images with their label masks, and
/// the class (a name or label; null: the one class every support mask shows).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PredictionRequest(
    [property: Id(0)] string RunId,
    [property: Id(1)] int Fold,
    [property: Id(2)] string Method,
    [property: Id(3)] UploadedFile[] Supports,
    [property: Id(4)] UploadedFile[] SupportMasks,
    [property: Id(5)] UploadedFile Query,
    [property: Id(6)] string? Class);

/// <summary>The predicted mask (VOC palette PNG) and overlay, the class, the predicted share of pixels, and what predicted it.</summary>
[GenerateSerializer, Immutable]
public sealed record PredictionResult(
    [property: Id(0)] byte[] MaskPng,
    [property: Id(1)] byte[] OverlayPng,
    [property: Id(2)] string Class,
    [property: Id(3)] double ForegroundShare,
    [property: Id(4)] string? CheckpointSha256,
    [property: Id(5)] int CheckpointIteration,
    [property: Id(6)] string Device,
    [property: Id(7)] string Silo);

/// <summary>
/// Applies a stored run's trained fold to uploaded images, on a silo's scoring device (the dashboard has no torch).
/// Bad input is answered with an <see cref="ArgumentException"/> naming the file or field; the silo is unaffected.
/// </summary>
public interface IPredictionGrain : IGrainWithIntegerKey
{
    Task<PredictionResult> PredictAsync(PredictionRequest request);
}
