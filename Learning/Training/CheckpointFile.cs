using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegCluster.Learning.Training;

/// <summary>A written checkpoint: where, its SHA-256 and size (recorded as checkpoint metadata in PostgreSQL).</summary>
public sealed record CheckpointInfo(int Iteration, string Path, string Sha256, long Bytes);

/// <summary>What a checkpoint records besides the tensors.</summary>
public sealed record CheckpointMetadata(int Iteration, ulong[] SamplerState, string ConfigJson, Dictionary<string, string> Sha256);

/// <summary>
/// One training checkpoint: a zip of the model state, the optimizer state (momentum buffers), torch's RNG state
/// and metadata (iteration, sampler state, config, a SHA-256 per entry). Written to a temporary file, flushed and
/// renamed, so a crash never leaves a half-written checkpoint under the final name; a corrupt or truncated file
/// fails its checksum on load.
/// </summary>
public static class CheckpointFile
{
    private const string Model = "model.bin", Optimizer = "optimizer.bin", Rng = "rng.bin", Meta = "meta.json";

    public static CheckpointInfo Save<TModel>(string path, TModel model, OslsmOptimizer optimizer, int iteration, ulong[] samplerState, string configJson)
        where TModel : nn.Module, ISeededNetwork
    {
        var blobs = new Dictionary<string, byte[]>
        {
            [Model] = Serialize(w => model.save(w)),
            [Optimizer] = Serialize(w => optimizer.save(w)),
            [Rng] = model.GeneratorState,
        };
        var metadata = new CheckpointMetadata(iteration, samplerState, configJson,
            blobs.ToDictionary(b => b.Key, b => Convert.ToHexString(SHA256.HashData(b.Value))));
        blobs[Meta] = JsonSerializer.SerializeToUtf8Bytes(metadata);

        var temporary = path + ".tmp";
        string sha256;
        long bytes;
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite))
        {
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
                foreach (var (name, data) in blobs)
                {
                    using var entry = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                    entry.Write(data);
                }
            file.Flush(flushToDisk: true);
            bytes = file.Length;
            file.Position = 0;
            sha256 = Convert.ToHexString(SHA256.HashData(file));
        }
        File.Move(temporary, path, overwrite: true);
        return new CheckpointInfo(iteration, path, sha256, bytes);
    }

    /// <summary>Verifies every checksum, then restores model, optimizer and torch RNG; returns the metadata.</summary>
    public static CheckpointMetadata Load<TModel>(string path, TModel model, OslsmOptimizer optimizer) where TModel : nn.Module, ISeededNetwork
    {
        var (metadata, blobs) = ReadVerified(path);
        try
        {
            model.load(new BinaryReader(new MemoryStream(blobs[Model])));
            optimizer.load(new BinaryReader(new MemoryStream(blobs[Optimizer])));
            model.GeneratorState = blobs[Rng];
        }
        catch (Exception e) when (e is not DataFileException)
        {
            throw new DataFileException(path, $"checkpoint does not fit this model ({e.Message})", e);
        }
        return metadata;
    }

    /// <summary>Verifies the checkpoint and restores only the model (evaluation).</summary>
    public static CheckpointMetadata LoadModel(string path, nn.Module model)
    {
        var (metadata, blobs) = ReadVerified(path);
        try { model.load(new BinaryReader(new MemoryStream(blobs[Model]))); }
        catch (Exception e) { throw new DataFileException(path, $"checkpoint does not fit this model ({e.Message})", e); }
        return metadata;
    }

    /// <summary>Reads and checks a checkpoint without touching any model (used to pick the newest good one).</summary>
    public static CheckpointMetadata Verify(string path) => ReadVerified(path).Metadata;

    private static (CheckpointMetadata Metadata, Dictionary<string, byte[]> Blobs) ReadVerified(string path)
    {
        if (!File.Exists(path)) throw new DataFileException(path, "checkpoint not found");
        var blobs = new Dictionary<string, byte[]>();
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                using var stream = entry.Open();
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                blobs[entry.Name] = buffer.ToArray();
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new DataFileException(path, $"corrupt or truncated checkpoint ({e.Message})", e);
        }
        if (!blobs.TryGetValue(Meta, out var metaBytes)) throw new DataFileException(path, "checkpoint has no metadata");
        var metadata = JsonSerializer.Deserialize<CheckpointMetadata>(metaBytes) ?? throw new DataFileException(path, "empty checkpoint metadata");
        foreach (var name in new[] { Model, Optimizer, Rng })
        {
            if (!blobs.TryGetValue(name, out var data)) throw new DataFileException(path, $"checkpoint lacks {name}");
            if (!string.Equals(Convert.ToHexString(SHA256.HashData(data)), metadata.Sha256.GetValueOrDefault(name), StringComparison.Ordinal))
                throw new DataFileException(path, $"checksum mismatch in {name} (corrupt checkpoint)");
        }
        return (metadata, blobs);
    }

    private static byte[] Serialize(Action<BinaryWriter> write)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true)) write(writer);
        return memory.ToArray();
    }
}
