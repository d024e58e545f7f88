using Npgsql;
using NpgsqlTypes;

namespace SegCluster.Storage;

/// <summary>
/// SegCluster's results in PostgreSQL. Every statement is parameterised; multi-row writes run in one transaction,
/// so a failure leaves nothing half-written; batch writes are keyed, so a retried batch is never counted twice.
/// </summary>
public sealed class ResultsStore(string connectionString)
{
    public async Task CreateRunAsync(string runId, string configJson, string configHash, string provenanceJson,
        IReadOnlyList<(int Fold, int Iterations)> folds, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var run = new NpgsqlCommand("""
            INSERT INTO runs (run_id, status, config, config_hash, provenance, started_at)
            VALUES (@run, 'running', @config, @hash, @provenance, now())
            ON CONFLICT (run_id) DO NOTHING
            """, connection, transaction))
        {
            run.Parameters.AddWithValue("run", runId);
            run.Parameters.AddWithValue("config", NpgsqlDbType.Jsonb, configJson);
            run.Parameters.AddWithValue("hash", configHash);
            run.Parameters.AddWithValue("provenance", NpgsqlDbType.Jsonb, provenanceJson);
            await run.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var (fold, iterations) in folds)
        {
            await using var row = new NpgsqlCommand("""
                INSERT INTO folds (run_id, fold, status, iterations) VALUES (@run, @fold, 'queued', @iterations)
                ON CONFLICT (run_id, fold) DO NOTHING
                """, connection, transaction);
            row.Parameters.AddWithValue("run", runId);
            row.Parameters.AddWithValue("fold", fold);
            row.Parameters.AddWithValue("iterations", iterations);
            await row.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task SetRunStatusAsync(string runId, string status, string? error = null, CancellationToken cancellationToken = default)
    {
        await ExecuteAsync("""
            UPDATE runs SET status = @status, error = @error,
                   finished_at = CASE WHEN @status IN ('done', 'failed', 'cancelled') THEN now() ELSE NULL END
             WHERE run_id = @run
            """, cancellationToken, ("run", runId), ("status", status), ("error", (object?)error ?? DBNull.Value));
    }

    public Task UpdateFoldAsync(string runId, FoldRow fold, CancellationToken cancellationToken = default) => ExecuteAsync("""
        UPDATE folds SET status = @status, phase = @phase, silo = @silo, device = @device, iteration = @iteration,
               train_seconds = @train_seconds, error = @error,
               started_at = COALESCE(started_at, CASE WHEN @status <> 'queued' THEN now() END),
               finished_at = CASE WHEN @status IN ('done', 'failed', 'cancelled') THEN now() ELSE NULL END
         WHERE run_id = @run AND fold = @fold
        """, cancellationToken,
        ("run", runId), ("fold", fold.Fold), ("status", fold.Status), ("phase", fold.Phase), ("silo", (object?)fold.Silo ?? DBNull.Value),
        ("device", (object?)fold.Device ?? DBNull.Value), ("iteration", fold.Iteration),
        ("train_seconds", (object?)fold.TrainSeconds ?? DBNull.Value), ("error", (object?)fold.Error ?? DBNull.Value));

    /// <summary>A training curve point of one of the fold's networks ("oslsm" or "base-classifier").</summary>
    public Task AddTrainingPointAsync(string runId, int fold, string network, int iteration, double loss, double iterationsPerSecond,
        CancellationToken cancellationToken = default) =>
        ExecuteAsync("""
            INSERT INTO training_points (run_id, fold, network, iteration, loss, iterations_per_second)
            VALUES (@run, @fold, @network, @iteration, @loss, @rate) ON CONFLICT DO NOTHING
            """, cancellationToken, ("run", runId), ("fold", fold), ("network", network), ("iteration", iteration), ("loss", loss), ("rate", iterationsPerSecond));

    public Task AddCheckpointAsync(string runId, int fold, string network, int iteration, string path, string sha256, long bytes,
        CancellationToken cancellationToken = default) =>
        ExecuteAsync("""
            INSERT INTO checkpoints (run_id, fold, network, iteration, path, sha256, bytes) VALUES (@run, @fold, @network, @iteration, @path, @sha, @bytes)
            ON CONFLICT (run_id, fold, network, iteration) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256, bytes = excluded.bytes
            """, cancellationToken, ("run", runId), ("fold", fold), ("network", network), ("iteration", iteration), ("path", path), ("sha", sha256), ("bytes", bytes));

    /// <summary>Stores a batch and its class counts in one transaction; false when the batch was stored before (a retry).</summary>
    public async Task<bool> SaveBatchAsync(BatchRow batch, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO episode_batches (run_id, fold, method, shots, batch, episodes, episode_seconds, silo)
            VALUES (@run, @fold, @method, @shots, @batch, @episodes, @seconds, @silo)
            ON CONFLICT DO NOTHING
            """, connection, transaction))
        {
            AddKey(insert, batch.Key);
            insert.Parameters.AddWithValue("episodes", batch.EpisodeSeconds.Count);
            insert.Parameters.AddWithValue("seconds", batch.EpisodeSeconds.ToArray());
            insert.Parameters.AddWithValue("silo", (object?)batch.Silo ?? DBNull.Value);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }
        }
        foreach (var c in batch.Classes)
        {
            await using var counts = new NpgsqlCommand("""
                INSERT INTO batch_class_counts (run_id, fold, method, shots, batch, class_id, episodes, tp, fp, fn, tn)
                VALUES (@run, @fold, @method, @shots, @batch, @class, @episodes, @tp, @fp, @fn, @tn)
                """, connection, transaction);
            AddKey(counts, batch.Key);
            counts.Parameters.AddWithValue("class", c.ClassId);
            counts.Parameters.AddWithValue("episodes", c.Episodes);
            counts.Parameters.AddWithValue("tp", c.TruePositive);
            counts.Parameters.AddWithValue("fp", c.FalsePositive);
            counts.Parameters.AddWithValue("fn", c.FalseNegative);
            counts.Parameters.AddWithValue("tn", c.TrueNegative);
            await counts.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>A stored batch, or null.</summary>
    public async Task<BatchRow?> ReadBatchAsync(BatchKey key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        double[] seconds;
        string? silo;
        await using (var batch = new NpgsqlCommand("""
            SELECT episode_seconds, silo FROM episode_batches
             WHERE run_id = @run AND fold = @fold AND method = @method AND shots = @shots AND batch = @batch
            """, connection))
        {
            AddKey(batch, key);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return null;
            seconds = reader.GetFieldValue<double[]>(0);
            silo = reader.IsDBNull(1) ? null : reader.GetString(1);
        }
        var classes = new List<ClassCountsRow>();
        await using (var counts = new NpgsqlCommand("""
            SELECT class_id, episodes, tp, fp, fn, tn FROM batch_class_counts
             WHERE run_id = @run AND fold = @fold AND method = @method AND shots = @shots AND batch = @batch ORDER BY class_id
            """, connection))
        {
            AddKey(counts, key);
            await using var reader = await counts.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                classes.Add(new ClassCountsRow(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
        }
        return new BatchRow(key, classes, seconds, silo);
    }

    public async Task<IReadOnlyList<FoldRow>> ReadFoldsAsync(string runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand("""
            SELECT fold, status, phase, silo, device, iteration, iterations, train_seconds, error FROM folds WHERE run_id = @run ORDER BY fold
            """, connection);
        query.Parameters.AddWithValue("run", runId);
        var rows = new List<FoldRow>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new FoldRow(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3), NullableString(reader, 4),
                reader.GetInt32(5), reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetDouble(7), NullableString(reader, 8)));
        return rows;
    }

    /// <summary>Per (fold, method, shots, class): the summed counts of every stored batch (one aggregate query).</summary>
    public async Task<IReadOnlyList<ClassTotalsRow>> ReadClassTotalsAsync(string runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand("""
            SELECT fold, method, shots, class_id, sum(episodes)::int, sum(tp)::bigint, sum(fp)::bigint, sum(fn)::bigint, sum(tn)::bigint
              FROM batch_class_counts WHERE run_id = @run
             GROUP BY fold, method, shots, class_id ORDER BY fold, method, shots, class_id
            """, connection);
        query.Parameters.AddWithValue("run", runId);
        var rows = new List<ClassTotalsRow>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new ClassTotalsRow(reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8)));
        return rows;
    }

    public async Task<IReadOnlyList<TimingRow>> ReadTimingsAsync(string runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand("""
            SELECT method, shots, count(*)::int, avg(s), percentile_cont(0.5) WITHIN GROUP (ORDER BY s)
              FROM episode_batches, unnest(episode_seconds) AS s
             WHERE run_id = @run GROUP BY method, shots ORDER BY method, shots
            """, connection);
        query.Parameters.AddWithValue("run", runId);
        var rows = new List<TimingRow>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new TimingRow(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetDouble(3), reader.GetDouble(4)));
        return rows;
    }

    private static void AddKey(NpgsqlCommand command, BatchKey key)
    {
        command.Parameters.AddWithValue("run", key.RunId);
        command.Parameters.AddWithValue("fold", key.Fold);
        command.Parameters.AddWithValue("method", key.Method);
        command.Parameters.AddWithValue("shots", key.Shots);
        command.Parameters.AddWithValue("batch", key.Batch);
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => Connections.OpenAsync(connectionString, cancellationToken);
}
