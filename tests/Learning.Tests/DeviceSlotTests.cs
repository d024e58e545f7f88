using SegCluster.Learning.Devices;
using SegCluster.Learning.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SegCluster.Learning.Tests;

public sealed class DeviceSlotTests
{
    [Theory]
    [InlineData("cpu", DeviceType.CPU, 0)]
    [InlineData("cpu:3", DeviceType.CPU, 3)]
    [InlineData("cuda:0", DeviceType.CUDA, 0)]
    [InlineData("cuda:12", DeviceType.CUDA, 12)]
    public void Slots_name_the_torch_device_they_run_on(string text, DeviceType type, int index)
    {
        var slot = DeviceSlot.Parse(text);
        Assert.Equal(text, slot.Label);
        Assert.Equal(type, slot.Device.type);
        // Every CPU slot runs on the one CPU device; a CUDA slot on its GPU.
        Assert.Equal(type == DeviceType.CUDA ? index : -1, slot.Device.index);
    }

    [Theory]
    [InlineData("gpu0", "is not cpu, cpu:N or cuda:N")]
    [InlineData("cuda:", "is not cpu, cpu:N or cuda:N")]
    [InlineData("cuda:-1", "is not cpu, cpu:N or cuda:N")]
    [InlineData("CUDA:0", "is not cpu, cpu:N or cuda:N")]
    [InlineData(" cpu", "is not cpu, cpu:N or cuda:N")]
    [InlineData("cuda", "names no GPU")]
    public void Malformed_slots_are_refused_with_the_reason(string text, string reason)
    {
        Assert.False(DeviceSlot.TryParse(text, out _, out var error));
        Assert.Contains($"'{text}'", error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void A_cuda_slot_this_process_cannot_reach_is_refused_in_one_line()
    {
        Assert.Null(TorchDevices.Unavailable(DeviceSlot.Parse("cpu:1")));
        var visible = cuda.is_available() ? cuda.device_count() : 0;
        var beyond = TorchDevices.Unavailable(DeviceSlot.Parse($"cuda:{visible}"));
        Assert.NotNull(beyond);
        Assert.DoesNotContain('\n', beyond);
        // On this project's default build: the CPU-only libtorch is named as the reason.
        if (visible == 0) Assert.Contains("CPU-only", beyond);
        else Assert.Contains($"CUDA sees {visible} device", beyond);
    }

    [Fact]
    public void Dropout_restored_from_another_device_type_is_reseeded_from_the_seed_and_iteration()
    {
        byte[] Draw(NetworkGenerators generators)
        {
            using var drawn = rand([16], generator: generators.Dropout, device: CPU);
            return drawn.bytes.ToArray();
        }
        var saved = new NetworkGenerators(5, "test", CPU);
        Draw(saved);
        var state = saved.DropoutState;
        Assert.Equal("cpu", saved.DropoutDevice);

        // The same device type: the stream continues where it was saved.
        var resumed = new NetworkGenerators(5, "test", CPU);
        resumed.Restore(state, "cpu", iteration: 10);
        Assert.Equal(Draw(saved), Draw(resumed));

        // A state written on a GPU cannot seed a CPU generator: both resumes from it draw the same, seeded by the iteration.
        var first = new NetworkGenerators(5, "test", CPU);
        var second = new NetworkGenerators(5, "test", CPU);
        first.Restore([1, 2, 3], "cuda", iteration: 10);
        second.Restore([1, 2, 3], "cuda", iteration: 10);
        var third = new NetworkGenerators(5, "test", CPU);
        third.Restore([1, 2, 3], "cuda", iteration: 11);
        var drawn = Draw(first);
        Assert.Equal(drawn, Draw(second));
        Assert.NotEqual(drawn, Draw(third));
    }
}
