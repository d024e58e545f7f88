using System.Collections.Concurrent;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;

namespace SegCluster.Grains;

/// <summary>Trained networks loaded from checkpoints, once per silo process, for scoring.</summary>
public sealed class ModelCache : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<OslsmNetwork>> networks = new();

    public OslsmNetwork Get(string checkpoint, OslsmPreset preset, ulong seed) =>
        networks.GetOrAdd(checkpoint, path => new Lazy<OslsmNetwork>(() =>
        {
            var network = new OslsmNetwork(preset, seed);
            CheckpointFile.LoadModel(path, network);
            network.eval();
            return network;
        })).Value;

    public void Dispose()
    {
        foreach (var network in networks.Values.Where(n => n.IsValueCreated)) network.Value.Dispose();
    }
}
