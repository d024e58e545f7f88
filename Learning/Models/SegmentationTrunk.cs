using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using SegCluster.Experiment;

namespace SegCluster.Learning.Models;

/// <summary>
/// OSLSM's segmentation branch and the baselines' trunk: dense features [N, FullyConnected, ceil(H/stride),
/// ceil(W/stride)], in two parts, <see cref="Convolutional"/> (what the fine-tuning baseline keeps frozen) and a head
/// on it (fc6 and fc7 of an FCN, the last stage of a ResNet) that <see cref="CopyHead"/> copies for per-episode training.
/// </summary>
public abstract class SegmentationTrunk(string name) : Module<Tensor, Tensor>(name)
{
    /// <param name="dropout">Dropout's generator, on <paramref name="device"/> (the FCN's fc6 and fc7).</param>
    public static SegmentationTrunk Create(OslsmPreset preset, Generator dropout, Device device) =>
        preset.Backbone == Backbone.ResNet ? new ResNetTrunk(preset.Blocks, preset.Dilated, device) : new FcnTrunk(preset, dropout, device);

    /// <summary>The features the head reads.</summary>
    public abstract Tensor Convolutional(Tensor images);

    /// <summary>A fresh copy of the head with its current weights, without dropout: <see cref="Convolutional"/>'s output to the dense features.</summary>
    public abstract Module<Tensor, Tensor> CopyHead();

    /// <summary>Switches the convolutions to channels-last order for scoring (<see cref="ChannelsLast"/>).</summary>
    public abstract void UseChannelsLast();
}
