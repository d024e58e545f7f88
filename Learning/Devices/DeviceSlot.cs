using System.Globalization;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace SegCluster.Learning.Devices;

/// <summary>
/// A device slot a silo offers: <c>cuda:N</c> (GPU N of its node) or <c>cpu:N</c> (the N-th CPU slot; every CPU slot
/// runs on the one CPU device). The scoring device may also be plain <c>cpu</c>. The label is what PostgreSQL and
/// the dashboard show; <see cref="Device"/> is what torch runs on.
/// </summary>
public sealed partial record DeviceSlot(string Label, DeviceType Type, int Index)
{
    public bool IsCuda => Type == DeviceType.CUDA;

    /// <summary>The torch device tensors and modules of this slot are made on.</summary>
    public Device Device => IsCuda ? new Device(DeviceType.CUDA, Index) : CPU;

    public static DeviceSlot Parse(string text) =>
        TryParse(text, out var slot, out var error) ? slot : throw new FormatException($"device {error}");

    /// <param name="error">Why the text is not a slot, naming it.</param>
    public static bool TryParse(string text, out DeviceSlot slot, out string error)
    {
        slot = null!;
        var match = Grammar().Match(text);
        if (!match.Success)
        {
            error = $"'{text}' is not cpu, cpu:N or cuda:N (N a device index from 0)";
            return false;
        }
        var type = match.Groups["type"].Value == "cuda" ? DeviceType.CUDA : DeviceType.CPU;
        if (type == DeviceType.CUDA && !match.Groups["index"].Success)
        {
            error = $"'{text}' names no GPU: write cuda:0, cuda:1, ...";
            return false;
        }
        var index = match.Groups["index"].Success ? int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture) : 0;
        slot = new DeviceSlot(text, type, index);
        error = "";
        return true;
    }

    public override string ToString() => Label;

    [GeneratedRegex(@"^(?<type>cpu|cuda)(:(?<index>[0-9]{1,4}))?$")]
    private static partial Regex Grammar();
}
