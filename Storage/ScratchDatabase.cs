using Npgsql;

namespace SegCluster.Storage;

/// <summary>A fresh database on a PostgreSQL server, dropped on dispose: a test's or a benchmark's rows never meet another's.</summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string admin;

    private ScratchDatabase(string admin, string name, string connectionString)
    {
        this.admin = admin;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    /// <param name="server">a connection string to the server (its database is ignored)</param>
    /// <param name="migrate">whether to apply SegCluster's schema (Orleans tables included)</param>
    /// <param name="pooling">false where a test cuts the server and wants every command to open its own connection</param>
    public static async Task<ScratchDatabase> CreateAsync(string server, string prefix, bool migrate = true, bool pooling = true,
        CancellationToken cancel = default)
    {
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        var name = $"{prefix}_{Guid.NewGuid().ToString("N")[..16]}";
        await ExecuteAsync(admin, $"CREATE DATABASE {name}", cancel);
        var database = new ScratchDatabase(admin, name, new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = pooling }.ConnectionString);
        if (migrate) SchemaMigrator.Apply(database.ConnectionString);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", CancellationToken.None);
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancel)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancel);
    }
}
