using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using SegCluster.Experiment;

namespace SegCluster.Learning.Models;

/// <summary>
/// Builds the convolutional <c>features</c> and fully connected <c>classifier</c> Sequentials numbered exactly like
/// torchvision's VGG and AlexNet, so ImageNet state dicts load by name.
/// </summary>
public static class BackboneLayers
{
    /// <summary>Indices of fc6, fc7, fc8 in the classifier (VGG: 0, 3, 6; AlexNet: 1, 4, 6).</summary>
    public static (int Fc6, int Fc7, int Fc8) ClassifierIndices(OslsmPreset preset) =>
        preset.Backbone == Backbone.AlexNet ? (1, 4, 6) : (0, 3, 6);

    /// <param name="dilate">The stride-8 variant: pool4 and pool5 become identities (keeping the numbering), conv5 dilated by 2.</param>
    /// <param name="fullyConvolutional">The segmentation trunk: AlexNet's pools pad by one so its map keeps ceil(side/32)
    /// cells (torchvision's unpadded pools, which the classifying branch keeps, lose up to two).</param>
    public static Sequential Features(OslsmPreset preset, Device device, bool dilate = false, bool fullyConvolutional = false)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        void Add(Module<Tensor, Tensor> m) => layers.Add((layers.Count.ToString(), m));
        if (preset.Backbone == Backbone.AlexNet)
        {
            var pad = fullyConvolutional ? 1 : 0;
            Add(Conv2d(3, 64, 11, stride: 4, padding: 2, device: device)); Add(ReLU(inplace: true)); Add(MaxPool2d(3, 2, padding: pad));
            Add(Conv2d(64, 192, 5, padding: 2, device: device)); Add(ReLU(inplace: true)); Add(MaxPool2d(3, 2, padding: pad));
            Add(Conv2d(192, 384, 3, padding: 1, device: device)); Add(ReLU(inplace: true));
            Add(Conv2d(384, 256, 3, padding: 1, device: device)); Add(ReLU(inplace: true));
            Add(Conv2d(256, 256, 3, padding: 1, device: device)); Add(ReLU(inplace: true)); Add(MaxPool2d(3, 2, padding: pad));
            return Sequential(layers);
        }
        var channels = 3L;
        for (var stage = 0; stage < preset.Stages.Length; stage++)
        {
            var dilation = dilate && stage == 4 ? 2 : 1;
            foreach (var width in preset.Stages[stage])
            {
                Add(Conv2d(channels, width, 3, padding: dilation, dilation: dilation, device: device));
                Add(ReLU(inplace: true));
                channels = width;
            }
            Add(dilate && stage >= 3 ? Identity() : MaxPool2d(2, 2, ceil_mode: true));
        }
        return Sequential(layers);
    }

    /// <param name="dropout">Dropout's generator, on <paramref name="device"/>.</param>
    public static Sequential Classifier(OslsmPreset preset, Generator dropout, Device device)
    {
        Module<Tensor, Tensor> Dropout() => new SeededDropout(0.5, dropout);
        var flat = (long)preset.FeatureChannels * preset.PooledSide * preset.PooledSide;
        var fc = preset.FullyConnected;
        return preset.Backbone == Backbone.AlexNet
            ? Sequential(
                ("0", Dropout()), ("1", Linear(flat, fc, device: device)), ("2", ReLU(inplace: true)),
                ("3", Dropout()), ("4", Linear(fc, fc, device: device)), ("5", ReLU(inplace: true)),
                ("6", Linear(fc, preset.ClassifierOutputs, device: device)))
            : Sequential(
                ("0", Linear(flat, fc, device: device)), ("1", ReLU(inplace: true)), ("2", Dropout()),
                ("3", Linear(fc, fc, device: device)), ("4", ReLU(inplace: true)), ("5", Dropout()),
                ("6", Linear(fc, preset.ClassifierOutputs, device: device)));
    }
}
