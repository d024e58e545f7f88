using System.Collections.Concurrent;
using SegCluster.Learning.Training;
using TorchSharp;

namespace SegCluster.Grains;

/// <summary>Trained networks loaded from checkpoints, once per silo process, for scoring.</summary>
public sealed class ModelCache : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<torch.nn.Module>> networks = new();

    /// <summary>The network of a checkpoint: built by <paramref name="create"/>, loaded and switched to eval mode once.</summary>
    public T Get<T>(string checkpoint, Func<T> create) where T : torch.nn.Module =>
        (T)networks.GetOrAdd(checkpoint, path => new Lazy<torch.nn.Module>(() =>
        {
            var network = create();
            CheckpointFile.LoadModel(path, network);
            network.eval();
            return network;
        })).Value;

    public void Dispose()
    {
        foreach (var network in networks.Values.Where(n => n.IsValueCreated)) network.Value.Dispose();
    }
}
