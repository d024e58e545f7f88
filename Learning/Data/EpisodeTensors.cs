using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Data;

/// <summary>
/// Turns images and masks into network inputs (ImageNet mean/std normalisation, as torchvision's VGG expects).
/// Decoding and resizing run on the CPU; <see cref="ToDevice"/> uploads the result.
/// </summary>
public static class EpisodeTensors
{
    /// <summary>torchvision's per-channel mean and std (RGB, of 0..1 values) that every image is normalised with.</summary>
    internal static readonly float[] Mean = [0.485f, 0.456f, 0.406f];

    /// <inheritdoc cref="Mean"/>
    internal static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    /// <summary>[3, size, size] on the CPU, normalised; pixels outside <paramref name="keep"/> (if given) are zeroed after mean subtraction.</summary>
    public static Tensor Image(Image<Rgb24> image, int size, SegmentationMask? keep = null, int classId = 0) =>
        tensor(ImageArray(image, size, keep, classId), [3, size, size], device: CPU);

    /// <summary>
    /// A CPU tensor on <paramref name="device"/>: itself on the CPU; else copied from pinned memory without waiting,
    /// so the upload overlaps the host's work (libtorch keeps the pinned block until the copy has run).
    /// </summary>
    public static Tensor ToDevice(Tensor host, Device device) =>
        device.type == DeviceType.CPU ? host : host.pin_memory().to(device, non_blocking: true);

    /// <summary>Managed values as a tensor of <paramref name="shape"/> on <paramref name="device"/>.</summary>
    public static Tensor ToDevice(float[] values, long[] shape, Device device) => ToDevice(tensor(values, shape, device: CPU), device);

    /// <inheritdoc cref="ToDevice(float[], long[], Device)"/>
    public static Tensor ToDevice(long[] values, long[] shape, Device device) => ToDevice(tensor(values, shape, device: CPU), device);

    /// <summary>The same as a managed array (prepared off the training thread; tensors are made on it).</summary>
    public static float[] ImageArray(Image<Rgb24> image, int size, SegmentationMask? keep = null, int classId = 0)
    {
        using var resized = image.Clone(c => c.Resize(size, size, KnownResamplers.Triangle));
        var pixels = new Rgb24[size * size];
        resized.CopyPixelDataTo(pixels);
        var data = new float[3 * size * size];
        var plane = size * size;
        var mask = keep is null ? null : Binary(keep, classId, size);
        for (var i = 0; i < plane; i++)
        {
            if (mask is not null && mask[i] != 1) continue;
            data[i] = (pixels[i].R / 255f - Mean[0]) / Std[0];
            data[plane + i] = (pixels[i].G / 255f - Mean[1]) / Std[1];
            data[2 * plane + i] = (pixels[i].B / 255f - Mean[2]) / Std[2];
        }
        return data;
    }

    /// <summary>The mask binarised for one class and resized (nearest): 1 class, 0 background (other classes too), 255 void.</summary>
    public static byte[] Binary(SegmentationMask mask, int classId, int size) =>
        Resized(mask, size, v => v == PascalClasses.Void ? PascalClasses.Void : v == classId ? (byte)1 : (byte)0);

    /// <summary>The mask resized (nearest) to size x size, each label mapped by <paramref name="label"/>.</summary>
    public static byte[] Resized(SegmentationMask mask, int size, Func<byte, byte> label)
    {
        var result = new byte[size * size];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                result[y * size + x] = label(mask[Math.Min(mask.Width - 1, x * mask.Width / size), Math.Min(mask.Height - 1, y * mask.Height / size)]);
        return result;
    }
}
