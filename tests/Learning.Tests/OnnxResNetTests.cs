using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace SegCluster.Learning.Tests;

/// <summary>The served ImageNet ResNet18 (ONNX) imported into this project's TorchSharp ResNet, against ONNX Runtime on genuine VOC photos.</summary>
[Collection(nameof(TorchGlobalState))]
public sealed class OnnxResNetTests
{
    [Fact]
    public void The_imported_trunk_reproduces_onnx_runtime_on_the_voc_sample_within_1e_4()
    {
        Assert.Equal(OnnxResNet.Sha256, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(OnnxResNet.ModelPath))).ToLowerInvariant());
        var weights = OnnxResNet.StateDict(OnnxResNet.ModelPath);
        Assert.Equal(110, weights.Count);
        Assert.Equal(15_908_800, weights.Values.Sum(t => t.numel()));
        Assert.Equal([512, 512, 3, 3], weights["layer4.2.conv2.weight"].shape);
        Assert.Equal([128, 64, 1, 1], weights["layer2.0.downsample.0.weight"].shape);

        using var trunk = new ResNetTrunk(ResNetTrunk.OnnxResNet18, dilated: false, CPU);
        OnnxResNet.Load(trunk, OnnxResNet.ModelPath);
        trunk.eval();
        using var mean = OnnxResNet.MeanImage(OnnxResNet.PreprocessPath);
        using var preprocess = new InferenceSession(OnnxResNet.PreprocessPath);
        using var network = new InferenceSession(OnnxResNet.ModelPath);
        var photos = Directory.GetFiles(Path.Combine(Fixtures.Root, "voc-sample", "VOCdevkit", "VOC2012", "JPEGImages"), "*.jpg").Order().Take(6).ToList();
        Assert.True(photos.Count >= 4);
        var features = new List<float[]>();
        foreach (var photo in photos)
        {
            var rgb = Pixels(photo);
            // ONNX Runtime: the package's two graphs, preprocessing then the network, [1, 512, 1, 1] after global pooling.
            var input = new DenseTensor<float>(rgb, [1, 3, 224, 224]);
            using var prepared = preprocess.Run([NamedOnnxValue.CreateFromTensor(preprocess.InputMetadata.Keys.Single(), input)]);
            using var output = network.Run([NamedOnnxValue.CreateFromTensor(network.InputMetadata.Keys.Single(), prepared.Single().AsTensor<float>())]);
            var expected = output.Single().AsTensor<float>().ToArray();

            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var ours = trunk.call(OnnxResNet.Preprocess(tensor(rgb, [1, 3, 224, 224]), mean)).mean([2, 3]).data<float>().ToArray();
            Assert.Equal(512, expected.Length);
            var worst = expected.Zip(ours).Max(p => Math.Abs(p.First - p.Second));
            Assert.True(worst <= 1e-4, $"{Path.GetFileName(photo)}: max |difference| {worst:E2}");
            features.Add(ours);
        }
        // Trained features tell photos apart: no two of the sample's photos give nearly the same vector.
        for (var i = 0; i < features.Count; i++)
            for (var j = i + 1; j < features.Count; j++)
                Assert.True(Cosine(features[i], features[j]) < 0.98, $"photos {i} and {j} look alike to the network");
    }

    [Fact]
    public void The_dilated_trunk_keeps_stride_8_and_loads_the_same_weights()
    {
        using var trunk = new ResNetTrunk(ResNetTrunk.OnnxResNet18, dilated: true, CPU);
        OnnxResNet.Load(trunk, OnnxResNet.ModelPath);
        trunk.eval();
        using var _ = no_grad();
        using var output = trunk.call(zeros(1, 3, 64, 96));
        Assert.Equal([1, 512, 8, 12], output.shape);
        Assert.Equal(8, trunk.Stride);
    }

    /// <summary>The photo resized to 224x224, as 0..255 floats in RGB planes.</summary>
    private static float[] Pixels(string path)
    {
        using var image = ImageFiles.ReadRgb(path);
        image.Mutate(x => x.Resize(224, 224));
        var values = new float[3 * 224 * 224];
        for (var y = 0; y < 224; y++)
            for (var x = 0; x < 224; x++)
            {
                var p = image[x, y];
                values[y * 224 + x] = p.R;
                values[224 * 224 + y * 224 + x] = p.G;
                values[2 * 224 * 224 + y * 224 + x] = p.B;
            }
        return values;
    }

    private static double Cosine(float[] a, float[] b) =>
        a.Zip(b).Sum(p => (double)p.First * p.Second) / Math.Sqrt(a.Sum(v => (double)v * v) * b.Sum(v => (double)v * v));
}
