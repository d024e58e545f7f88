using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Training;

/// <summary>A written checkpoint: where, its SHA-256 and size (recorded as checkpoint metadata in PostgreSQL).</summary>
public sealed record CheckpointInfo(int Iteration, string Path, string Sha256, long Bytes);

/// <summary>What a checkpoint records besides the tensors.</summary>
/// <param name="DropoutDevice">The device type dropout's generator state belongs to (checkpoints written before devices: the CPU).</param>
public sealed record CheckpointMetadata(int Iteration, ulong[] SamplerState, string ConfigJson, Dictionary<string, string> Sha256,
    string DropoutDevice = "cpu");

/// <summary>
/// One training checkpoint: a zip of the model state, the optimizer state (momentum buffers), dropout's RNG state
/// and metadata (iteration, sampler state, config, a SHA-256 per entry). Tensors are stored as CPU tensors whatever
/// device wrote them, and load onto whatever device the model is on. Written to a temporary file, flushed and
/// renamed, so a crash never leaves a half-written checkpoint under the final name; a corrupt or truncated file
/// fails its checksum on load.
/// </summary>
public static class CheckpointFile
{
    private const string Model = "model.bin", Optimizer = "optimizer.bin", Rng = "rng.bin", Meta = "meta.json";

    public static CheckpointInfo Save<TModel>(string path, TModel model, OslsmOptimizer optimizer, int iteration, ulong[] samplerState, string configJson)
        where TModel : nn.Module, ISeededNetwork
    {
        var temporary = path + ".tmp";
        string sha256;
        long bytes;
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite))
        {
            // Each entry is streamed into the zip while it is hashed: VGG-16 OSLSM's Adam state alone passes the
            // 2 GiB a byte array can hold.
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
            {
                var rng = model.Generators.DropoutState;
                var checksums = new Dictionary<string, string>
                {
                    [Model] = WriteEntry(zip, Model, w => model.save(w)),
                    [Optimizer] = WriteEntry(zip, Optimizer, w => optimizer.save(w)),
                    [Rng] = WriteEntry(zip, Rng, w => w.Write(rng)),
                };
                var metadata = new CheckpointMetadata(iteration, samplerState, configJson, checksums, model.Generators.DropoutDevice);
                WriteEntry(zip, Meta, w => w.Write(JsonSerializer.SerializeToUtf8Bytes(metadata)));
            }
            file.Flush(flushToDisk: true);
            bytes = file.Length;
            file.Position = 0;
            sha256 = Convert.ToHexString(SHA256.HashData(file));
        }
        File.Move(temporary, path, overwrite: true);
        return new CheckpointInfo(iteration, path, sha256, bytes);
    }

    /// <summary>Verifies every checksum, then restores model, optimizer and dropout's RNG; returns the metadata.</summary>
    public static CheckpointMetadata Load<TModel>(string path, TModel model, OslsmOptimizer optimizer) where TModel : nn.Module, ISeededNetwork
    {
        var metadata = Verify(path);
        Restore(path, zip =>
        {
            Read(zip, Model, r => model.load(r));
            Read(zip, Optimizer, r => optimizer.load(r));
            model.Generators.Restore(ReadAll(zip, Rng), metadata.DropoutDevice, metadata.Iteration);
        });
        return metadata;
    }

    /// <summary>Verifies the checkpoint and restores only the model (evaluation).</summary>
    public static CheckpointMetadata LoadModel(string path, nn.Module model)
    {
        var metadata = Verify(path);
        Restore(path, zip => Read(zip, Model, r => model.load(r)));
        return metadata;
    }

    /// <summary>Reads and checks a checkpoint without touching any model (used to pick the newest good one).</summary>
    public static CheckpointMetadata Verify(string path)
    {
        if (!File.Exists(path)) throw new DataFileException(path, "checkpoint not found");
        CheckpointMetadata? metadata;
        var checksums = new Dictionary<string, string>();
        try
        {
            using var zip = ZipFile.OpenRead(path);
            if (zip.GetEntry(Meta) is not { } meta) throw new DataFileException(path, "checkpoint has no metadata");
            using (var stream = meta.Open()) metadata = JsonSerializer.Deserialize<CheckpointMetadata>(stream);
            foreach (var name in new[] { Model, Optimizer, Rng })
            {
                if (zip.GetEntry(name) is not { } entry) throw new DataFileException(path, $"checkpoint lacks {name}");
                using var stream = entry.Open();
                checksums[name] = Convert.ToHexString(SHA256.HashData(stream));
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or JsonException)
        {
            throw new DataFileException(path, $"corrupt or truncated checkpoint ({e.Message})", e);
        }
        if (metadata is null) throw new DataFileException(path, "empty checkpoint metadata");
        foreach (var (name, checksum) in checksums)
            if (!string.Equals(checksum, metadata.Sha256.GetValueOrDefault(name), StringComparison.Ordinal))
                throw new DataFileException(path, $"checksum mismatch in {name} (corrupt checkpoint)");
        return metadata;
    }

    /// <summary>Runs <paramref name="restore"/> over the verified zip; a model that does not fit is named in the error.</summary>
    private static void Restore(string path, Action<ZipArchive> restore)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            restore(zip);
        }
        catch (Exception e) when (e is not DataFileException)
        {
            throw new DataFileException(path, $"checkpoint does not fit this model ({e.Message})", e);
        }
    }

    /// <summary>Reads an entry straight from the file (entries are stored uncompressed).</summary>
    private static void Read(ZipArchive zip, string name, Action<BinaryReader> read)
    {
        using var reader = new BinaryReader(zip.GetEntry(name)!.Open());
        read(reader);
    }

    private static byte[] ReadAll(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <returns>The entry's SHA-256.</returns>
    private static string WriteEntry(ZipArchive zip, string name, Action<BinaryWriter> write)
    {
        using var sha = SHA256.Create();
        using (var entry = zip.CreateEntry(name, CompressionLevel.NoCompression).Open())
        using (var hashing = new CryptoStream(entry, sha, CryptoStreamMode.Write))
        using (var writer = new BinaryWriter(hashing))
            write(writer);
        return Convert.ToHexString(sha.Hash!);
    }
}
