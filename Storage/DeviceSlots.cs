using Npgsql;

namespace SegCluster.Storage;

/// <summary>The device_slots table: which silo offers which training device, and which fold holds it.</summary>
public sealed class DeviceSlots(string connectionString)
{
    // A slot counts only while its silo is Active (3) in Orleans' membership table. Silo keys are
    // "address:port@generation", the membership row's columns joined the same way.
    private const string ActiveSilos = """
        SELECT m.Address || ':' || m.Port || '@' || m.Generation AS silo
          FROM OrleansMembershipTable m
         WHERE m.Status = 3
        """;

    public async Task RegisterAsync(string silo, IReadOnlyList<string> devices, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        foreach (var device in devices)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO device_slots (silo, device) VALUES (@silo, @device) ON CONFLICT DO NOTHING", connection);
            insert.Parameters.AddWithValue("silo", silo);
            insert.Parameters.AddWithValue("device", device);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Silos (among the candidates) with a free slot, most free slots first.</summary>
    public async Task<IReadOnlyList<string>> SilosWithFreeSlotsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand($"""
            SELECT d.silo
              FROM device_slots d JOIN ({ActiveSilos}) a ON a.silo = d.silo
             WHERE d.fold_key IS NULL
             GROUP BY d.silo
             ORDER BY count(*) DESC, d.silo
            """, connection);
        var silos = new List<string>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) silos.Add(reader.GetString(0));
        return silos;
    }

    /// <summary>Claims a free slot of this silo for the fold (or returns the one it already holds); null when none is free.</summary>
    public async Task<string?> ClaimAsync(string silo, string foldKey, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // A fold re-activated on another silo leaves its old claim behind: drop it first.
        await using (var release = new NpgsqlCommand(
            "UPDATE device_slots SET fold_key = NULL, claimed_at = NULL WHERE fold_key = @fold AND silo <> @silo", connection, transaction))
        {
            release.Parameters.AddWithValue("fold", foldKey);
            release.Parameters.AddWithValue("silo", silo);
            await release.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var claim = new NpgsqlCommand("""
            WITH held AS (
                SELECT device FROM device_slots WHERE silo = @silo AND fold_key = @fold),
            chosen AS (
                SELECT device FROM device_slots
                 WHERE silo = @silo AND fold_key IS NULL AND NOT EXISTS (SELECT 1 FROM held)
                 ORDER BY device LIMIT 1 FOR UPDATE SKIP LOCKED),
            claimed AS (
                UPDATE device_slots d SET fold_key = @fold, claimed_at = now()
                  FROM chosen c WHERE d.silo = @silo AND d.device = c.device
                RETURNING d.device)
            SELECT device FROM held UNION ALL SELECT device FROM claimed
            """, connection, transaction);
        claim.Parameters.AddWithValue("silo", silo);
        claim.Parameters.AddWithValue("fold", foldKey);
        var device = await claim.ExecuteScalarAsync(cancellationToken) as string;
        await transaction.CommitAsync(cancellationToken);
        return device;
    }

    public async Task ReleaseAsync(string foldKey, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var release = new NpgsqlCommand("UPDATE device_slots SET fold_key = NULL, claimed_at = NULL WHERE fold_key = @fold", connection);
        release.Parameters.AddWithValue("fold", foldKey);
        await release.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
