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

    public Task RegisterAsync(string silo, IReadOnlyList<string> devices, CancellationToken cancellationToken = default) =>
        DatabaseRetry.RunAsync(ct => RegisterOnceAsync(silo, devices, ct), cancellationToken);

    private async Task RegisterOnceAsync(string silo, IReadOnlyList<string> devices, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        foreach (var device in devices)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO device_slots (silo, device) VALUES (@silo, @device) ON CONFLICT (silo, device) DO NOTHING", connection);
            insert.Parameters.AddWithValue("silo", silo);
            insert.Parameters.AddWithValue("device", device);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The devices offered by active silos, one entry per slot (e.g. "cuda:0" four times on four GPU nodes).</summary>
    public Task<IReadOnlyList<string>> ActiveDevicesAsync(CancellationToken cancellationToken = default) =>
        DatabaseRetry.RunAsync(ct => ActiveDevicesOnceAsync(ct), cancellationToken);

    private async Task<IReadOnlyList<string>> ActiveDevicesOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand($"SELECT s.device FROM device_slots s JOIN ({ActiveSilos}) a ON a.silo = s.silo ORDER BY 1", connection);
        var devices = new List<string>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) devices.Add(reader.GetString(0));
        return devices;
    }

    /// <summary>
    /// Placement: the silo (among the candidates) where the fold holds a slot, or else claims a free slot on the
    /// active candidate with the most free slots, atomically, so concurrent placements never pick the same slot.
    /// Null when no candidate has a free slot.
    /// </summary>
    public Task<string?> PlaceAsync(string foldKey, IReadOnlyList<string> candidates, CancellationToken cancellationToken = default) =>
        DatabaseRetry.RunAsync(ct => PlaceOnceAsync(foldKey, candidates, ct), cancellationToken);

    private async Task<string?> PlaceOnceAsync(string foldKey, IReadOnlyList<string> candidates, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var place = new NpgsqlCommand($"""
            WITH active AS ({ActiveSilos}),
            held AS (
                SELECT d.silo FROM device_slots d JOIN active a ON a.silo = d.silo
                 WHERE d.fold_key = @fold AND d.silo = ANY(@candidates)),
            free AS (
                SELECT d.silo, d.device, count(*) OVER (PARTITION BY d.silo) AS free_slots
                  FROM device_slots d JOIN active a ON a.silo = d.silo
                 WHERE d.fold_key IS NULL AND d.silo = ANY(@candidates)),
            chosen AS (
                SELECT s.silo, s.device FROM device_slots s JOIN free f ON f.silo = s.silo AND f.device = s.device
                 -- fold_key is tested on the locked row itself, so a slot claimed by a concurrent statement
                 -- fails the re-check after the lock and the next slot is taken instead.
                 WHERE s.fold_key IS NULL AND NOT EXISTS (SELECT 1 FROM held)
                 ORDER BY f.free_slots DESC, s.silo, s.device
                 LIMIT 1 FOR UPDATE OF s SKIP LOCKED),
            released AS (
                UPDATE device_slots SET fold_key = NULL, claimed_at = NULL
                 WHERE fold_key = @fold AND EXISTS (SELECT 1 FROM chosen)),
            claimed AS (
                UPDATE device_slots d SET fold_key = @fold, claimed_at = now()
                  FROM chosen c WHERE d.silo = c.silo AND d.device = c.device
                RETURNING d.silo)
            SELECT silo FROM held UNION ALL SELECT silo FROM claimed LIMIT 1
            """, connection);
        place.Parameters.AddWithValue("fold", foldKey);
        place.Parameters.AddWithValue("candidates", candidates.ToArray());
        return await place.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Claims a free slot of this silo for the fold (or returns the one it already holds); null when none is free.</summary>
    public Task<string?> ClaimAsync(string silo, string foldKey, CancellationToken cancellationToken = default) =>
        DatabaseRetry.RunAsync(ct => ClaimOnceAsync(silo, foldKey, ct), cancellationToken);

    private async Task<string?> ClaimOnceAsync(string silo, string foldKey, CancellationToken cancellationToken)
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

    /// <summary>The slots the folds of a run hold (keys "runId/fold"), and whether their silo is active.</summary>
    public Task<IReadOnlyList<HeldSlot>> ReadHeldByRunAsync(string runId, CancellationToken cancellationToken = default) =>
        DatabaseRetry.RunAsync<IReadOnlyList<HeldSlot>>(async ct =>
        {
            await using var connection = await OpenAsync(ct);
            await using var query = new NpgsqlCommand($"""
                SELECT s.silo, s.device, s.fold_key, a.silo IS NOT NULL FROM device_slots s LEFT JOIN ({ActiveSilos}) a ON a.silo = s.silo
                 WHERE starts_with(s.fold_key, @prefix) ORDER BY 1, 2
                """, connection);
            query.Parameters.AddWithValue("prefix", runId + "/");
            var held = new List<HeldSlot>();
            await using var reader = await query.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) held.Add(new HeldSlot(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)));
            return held;
        }, cancellationToken);

    public Task ReleaseAsync(string foldKey, CancellationToken cancellationToken = default) =>
        DatabaseRetry.RunAsync(ct => ReleaseOnceAsync(foldKey, ct), cancellationToken);

    private async Task ReleaseOnceAsync(string foldKey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var release = new NpgsqlCommand("UPDATE device_slots SET fold_key = NULL, claimed_at = NULL WHERE fold_key = @fold", connection);
        release.Parameters.AddWithValue("fold", foldKey);
        await release.ExecuteNonQueryAsync(cancellationToken);
    }

    private Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => Connections.OpenAsync(connectionString, cancellationToken);
}
