using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegCluster.Learning.Models;

/// <summary>
/// VGG conv stages as one Sequential whose children are numbered like torchvision's <c>features</c>
/// (conv, relu, ..., maxpool), so VGG-16 state dicts load by name.
/// </summary>
public static class VggFeatures
{
    public static Sequential Create(OslsmPreset preset)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        var channels = 3L;
        foreach (var stage in preset.Stages)
        {
            foreach (var width in stage)
            {
                layers.Add((layers.Count.ToString(), Conv2d(channels, width, 3, padding: 1)));
                layers.Add((layers.Count.ToString(), ReLU(inplace: true)));
                channels = width;
            }
            layers.Add((layers.Count.ToString(), MaxPool2d(2, 2, ceil_mode: true)));
        }
        return Sequential(layers);
    }
}
