using System.Collections.Concurrent;
using SegCluster.Learning.Training;
using TorchSharp;

namespace SegCluster.Grains;

/// <summary>Trained networks loaded from checkpoints, once per silo process, for scoring.</summary>
public sealed class ModelCache : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<torch.nn.Module>> networks = new();

    /// <summary>
    /// The network of a checkpoint: built by <paramref name="create"/> on <paramref name="device"/>, loaded, switched to
    /// eval mode and converted to <paramref name="type"/> once per (checkpoint, type, device).
    /// </summary>
    public T Get<T>(string checkpoint, torch.Device device, Func<torch.Device, T> create, torch.ScalarType type = torch.ScalarType.Float32)
        where T : torch.nn.Module =>
        (T)networks.GetOrAdd($"{checkpoint}|{type}|{device}", _ => new Lazy<torch.nn.Module>(() =>
        {
            var network = create(device);
            CheckpointFile.LoadModel(checkpoint, network);
            network.eval();
            if (type != torch.ScalarType.Float32) network.to(type);
            return network;
        })).Value;

    public void Dispose()
    {
        foreach (var network in networks.Values.Where(n => n.IsValueCreated)) network.Value.Dispose();
    }
}
