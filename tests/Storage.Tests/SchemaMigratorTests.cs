using Npgsql;
using SegCluster.Tests;

namespace SegCluster.Storage.Tests;

public sealed class SchemaMigratorTests
{
    // Every query key the Orleans 10 ADO.NET clustering, persistence and reminder providers read at start-up.
    private static readonly string[] OrleansQueryKeys =
    [
        "UpdateIAmAlivetimeKey", "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
        "CleanupDefunctSiloEntriesKey",
        "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey", "DeleteStorageKey",
        "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    [Fact]
    public async Task Applying_twice_applies_every_script_once_and_then_nothing()
    {
        await using var database = await TestDatabase.CreateAsync();

        var first = SchemaMigrator.Apply(database.ConnectionString);
        var second = SchemaMigrator.Apply(database.ConnectionString);

        Assert.Equal(SchemaMigrator.KnownScripts(), first.AppliedScripts);
        Assert.Empty(second.AppliedScripts);
        Assert.Equal(SchemaMigrator.KnownScripts().Count, await ScalarAsync<long>(database, "SELECT count(*) FROM schemaversions"));
    }

    [Fact]
    public async Task Orleans_query_table_holds_every_key_the_providers_read()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();

        var keys = new List<string>();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) keys.Add(reader.GetString(0));

        Assert.Equal(OrleansQueryKeys.Order(), keys.Order());
    }

    [Fact]
    public async Task Membership_insert_with_a_stale_version_changes_nothing()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await ExecuteAsync(database, "INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES ('d')");

        const string insert = "SELECT segcluster_insert_membership('d', '127.0.0.1', 1, 1, 's', 'h', 0, 0, now(), now(), @v)";
        Assert.Equal(1, await ScalarAsync<int>(database, insert.Replace("@v", "0")));
        Assert.Equal(0, await ScalarAsync<int>(database, insert.Replace("@v", "0")));   // stale version
        Assert.Equal(0, await ScalarAsync<int>(database, insert.Replace("@v", "1")));   // same row again
        Assert.Equal(1, await ScalarAsync<int>(database, "SELECT Version FROM OrleansMembershipVersionTable"));
        Assert.Equal(1L, await ScalarAsync<long>(database, "SELECT count(*) FROM OrleansMembershipTable"));
    }

    private static async Task ExecuteAsync(ScratchDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(ScratchDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
