using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Serialization;
using Orleans.Storage;
using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Silo;
using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Grains.Tests;

/// <summary>
/// Grain state stored before methods, optimizer, loss and states became enums (a real demo run's rows, taken from
/// the database of the version before) reads, after migration 0011, as the run it was; new state stores names.
/// </summary>
public sealed class GrainStateMigrationTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures", "grain-state");
    private const string Migration = "0011_settings_by_name";

    [Fact]
    public async Task State_stored_before_the_enums_reads_as_the_run_it_was()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            // As the database of the version before: the migration not yet applied, its grain state in the old form.
            await Execute(connection, $"DELETE FROM schemaversions WHERE scriptname LIKE '%{Migration}%'");
            foreach (var (type, hash) in new[] { ("run", 1), ("fold", 2) })
                await Execute(connection, """
                    INSERT INTO orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring, serviceid, payloadbinary, modifiedon, version)
                    VALUES (@hash, 0, 0, @hash, @type, 'segcluster', @payload, now(), 1)
                    """, ("hash", hash), ("type", type), ("payload", File.ReadAllBytes(Path.Combine(Fixtures, $"{type}-0010.json"))));
        }
        Assert.Equal([Migration], SchemaMigrator.Apply(database.ConnectionString).AppliedScripts);

        var run = Read<RunGrainState>(await PayloadAsync(database, "run"));
        Assert.Equal(RunState.Done, run.State);
        Assert.Equal((LossReduction.Mean, Optimizer.Adam, InferencePrecision.Float32), (run.Config!.Loss, run.Config.Optimizer, run.Config.InferencePrecision));
        Assert.Equal(Enum.GetValues<Method>().Take(8), run.Config.Methods);   // the eight methods of that version
        Assert.All(run.Folds.Values, f => Assert.Equal(FoldState.Done, f.State));
        var fold = Read<FoldGrainState>(await PayloadAsync(database, "fold"));
        Assert.Equal((FoldState.Done, LossReduction.Mean), (fold.State, fold.Config!.Loss));
        Assert.Equal(["base-classifier", "oslsm", "siamese"], fold.Checkpoints.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void New_state_stores_every_enum_by_name()
    {
        var state = new FoldGrainState
        {
            Config = RunSettings.PaperProtocol with { Methods = [Method.NearestNeighbour, Method.CopySupportMask], Loss = LossReduction.Mean,
                Optimizer = Optimizer.Adam, InferencePrecision = InferencePrecision.BFloat16 },
            State = FoldState.TrainingBase,
        };
        var text = Serializer().Serialize(state).ToString();
        foreach (var name in new[] { "\"1-nn\"", "\"copy-support-mask\"", "\"Loss\":\"mean\"", "\"Optimizer\":\"adam\"", "\"InferencePrecision\":\"bf16\"", "\"State\":\"training-base\"" })
            Assert.Contains(name, text);
        var back = Serializer().Deserialize<FoldGrainState>(BinaryData.FromString(text))!;
        Assert.Equal(state.Config!.Methods, back.Config!.Methods);
        Assert.Equal(FoldState.TrainingBase, back.State);
    }

    private static JsonGrainStorageSerializer Serializer()
    {
        var options = new OrleansJsonSerializerOptions();
        SiloHostBuilder.StoreEnumsByName(options);
        return new JsonGrainStorageSerializer(new OrleansJsonSerializer(Options.Create(options)));
    }

    private static T Read<T>(byte[] payload) => Serializer().Deserialize<T>(new BinaryData(payload))!;

    private static async Task<byte[]> PayloadAsync(ScratchDatabase database, string type)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT payloadbinary FROM orleansstorage WHERE graintypestring = @type", connection);
        command.Parameters.AddWithValue("type", type);
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }
}
