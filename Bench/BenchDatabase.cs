using Npgsql;
using SegCluster.Storage;

namespace SegCluster.Bench;

/// <summary>A fresh database with the current schema on the configured PostgreSQL server, dropped on dispose.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string admin;
    private readonly string name;

    private BenchDatabase(string admin, string name, string connectionString)
    {
        this.admin = admin;
        this.name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(string purpose, CancellationToken cancel)
    {
        var server = DatabaseSettings.Resolve(null);
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        var name = $"bench_{purpose}_{Guid.NewGuid().ToString("N")[..12]}";
        await ExecuteAsync(admin, $"CREATE DATABASE {name}", cancel);
        var database = new BenchDatabase(admin, name, new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString);
        SchemaMigrator.Apply(database.ConnectionString);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", CancellationToken.None);
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancel)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancel);
    }
}
