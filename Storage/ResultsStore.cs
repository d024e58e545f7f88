using Npgsql;
using NpgsqlTypes;

namespace SegCluster.Storage;

/// <summary>
/// SegCluster's results in PostgreSQL. Every statement is parameterised; multi-row writes run in one transaction,
/// so a failure leaves nothing half-written; batch writes are keyed, so a retried batch is never counted twice.
/// </summary>
/// <param name="retry">
/// true (writers: silos, CLI): an operation waits out a database outage (<see cref="DatabaseRetry"/>); false (the
/// dashboard's pages): it fails at once, and the page shows the outage and reads again.
/// </param>
public sealed class ResultsStore(string connectionString, bool retry = true)
{
    public Task CreateRunAsync(string runId, string configJson, string configHash, string provenanceJson,
        IReadOnlyList<(int Fold, int Iterations)> folds, string? group = null, CancellationToken cancellationToken = default) =>
        Retry(ct => CreateRunOnceAsync(runId, configJson, configHash, provenanceJson, folds, group, ct), cancellationToken);

    private async Task CreateRunOnceAsync(string runId, string configJson, string configHash, string provenanceJson,
        IReadOnlyList<(int Fold, int Iterations)> folds, string? group, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var run = new NpgsqlCommand("""
            INSERT INTO runs (run_id, status, config, config_hash, provenance, started_at, run_group)
            VALUES (@run, 'running', @config, @hash, @provenance, now(), @group)
            ON CONFLICT (run_id) DO NOTHING
            """, connection, transaction))
        {
            run.Parameters.AddWithValue("run", runId);
            run.Parameters.AddWithValue("config", NpgsqlDbType.Jsonb, configJson);
            run.Parameters.AddWithValue("hash", configHash);
            run.Parameters.AddWithValue("provenance", NpgsqlDbType.Jsonb, provenanceJson);
            run.Parameters.AddWithValue("group", (object?)group ?? DBNull.Value);
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

    public Task SetRunStatusAsync(string runId, string status, string? error = null, CancellationToken cancellationToken = default) =>
        Retry(ct => SetRunStatusOnceAsync(runId, status, error, ct), cancellationToken);

    private async Task SetRunStatusOnceAsync(string runId, string status, string? error, CancellationToken cancellationToken)
    {
        await ExecuteAsync("""
            UPDATE runs SET status = @status, error = @error,
                   finished_at = CASE WHEN @status IN ('done', 'failed', 'cancelled') THEN now() ELSE NULL END
             WHERE run_id = @run
            """, cancellationToken, ("run", runId), ("status", status), ("error", (object?)error ?? DBNull.Value));
    }

    public Task UpdateFoldAsync(string runId, FoldRow fold, CancellationToken cancellationToken = default) => ExecuteAsync("""
        UPDATE folds SET status = @status, silo = @silo, device = @device, iteration = @iteration,
               train_seconds = @train_seconds, error = @error, training_device = COALESCE(@training_device, training_device),
               started_at = COALESCE(started_at, CASE WHEN @status <> 'queued' THEN now() END),
               finished_at = CASE WHEN @status IN ('done', 'failed', 'cancelled') THEN now() ELSE NULL END
         WHERE run_id = @run AND fold = @fold
        """, cancellationToken,
        ("run", runId), ("fold", fold.Fold), ("status", fold.Status), ("silo", (object?)fold.Silo ?? DBNull.Value),
        ("device", (object?)fold.Device ?? DBNull.Value), ("iteration", fold.Iteration),
        ("train_seconds", (object?)fold.TrainSeconds ?? DBNull.Value), ("error", (object?)fold.Error ?? DBNull.Value),
        ("training_device", (object?)fold.TrainingDevice ?? DBNull.Value));

    /// <summary>A training curve point of one of the fold's networks ("oslsm" or "base-classifier").</summary>
    public Task AddTrainingPointAsync(string runId, int fold, string network, int iteration, double loss, double iterationsPerSecond,
        CancellationToken cancellationToken = default) =>
        ExecuteAsync("""
            INSERT INTO training_points (run_id, fold, network, iteration, loss, iterations_per_second)
            VALUES (@run, @fold, @network, @iteration, @loss, @rate) ON CONFLICT DO NOTHING
            """, cancellationToken, ("run", runId), ("fold", fold), ("network", network), ("iteration", iteration), ("loss", loss), ("rate", iterationsPerSecond));

    /// <summary>A point of the fold's meanIoU curve during training (a resumed fold scores its points again: the same values).</summary>
    public Task AddTrainingEvaluationAsync(string runId, int fold, string network, int iteration, int episodes, double meanIou,
        CancellationToken cancellationToken = default) =>
        ExecuteAsync("""
            INSERT INTO training_evaluations (run_id, fold, network, iteration, episodes, mean_iou)
            VALUES (@run, @fold, @network, @iteration, @episodes, @iou) ON CONFLICT DO NOTHING
            """, cancellationToken, ("run", runId), ("fold", fold), ("network", network), ("iteration", iteration), ("episodes", episodes), ("iou", meanIou));

    public Task AddCheckpointAsync(string runId, int fold, string network, int iteration, string path, string sha256, long bytes,
        CancellationToken cancellationToken = default) =>
        ExecuteAsync("""
            INSERT INTO checkpoints (run_id, fold, network, iteration, path, sha256, bytes) VALUES (@run, @fold, @network, @iteration, @path, @sha, @bytes)
            ON CONFLICT (run_id, fold, network, iteration) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256, bytes = excluded.bytes
            """, cancellationToken, ("run", runId), ("fold", fold), ("network", network), ("iteration", iteration), ("path", path), ("sha", sha256), ("bytes", bytes));

    /// <summary>Stores a batch and its class counts in one transaction; false when the batch was stored before (a retry).</summary>
    public Task<bool> SaveBatchAsync(BatchRow batch, CancellationToken cancellationToken = default) =>
        Retry(ct => SaveBatchOnceAsync(batch, ct), cancellationToken);

    private async Task<bool> SaveBatchOnceAsync(BatchRow batch, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO episode_batches (run_id, fold, method, shots, class_set, test_seed, batch, episodes, episode_seconds, silo, device)
            VALUES (@run, @fold, @method, @shots, @classSet, @testSeed, @batch, @episodes, @seconds, @silo, @device)
            ON CONFLICT DO NOTHING
            """, connection, transaction))
        {
            AddKey(insert, batch.Key);
            insert.Parameters.AddWithValue("episodes", batch.EpisodeSeconds.Count);
            insert.Parameters.AddWithValue("seconds", batch.EpisodeSeconds.ToArray());
            insert.Parameters.AddWithValue("silo", (object?)batch.Silo ?? DBNull.Value);
            insert.Parameters.AddWithValue("device", (object?)batch.Device ?? DBNull.Value);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }
        }
        foreach (var c in batch.Classes)
        {
            await using var counts = new NpgsqlCommand("""
                INSERT INTO batch_class_counts (run_id, fold, method, shots, class_set, test_seed, batch, class_id, episodes, tp, fp, fn, tn)
                VALUES (@run, @fold, @method, @shots, @classSet, @testSeed, @batch, @class, @episodes, @tp, @fp, @fn, @tn)
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
        foreach (var sample in batch.Samples ?? [])
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO gallery_samples (run_id, fold, method, shots, class_set, test_seed, batch, class_id, query_id, support_ids, iou, png)
                VALUES (@run, @fold, @method, @shots, @classSet, @testSeed, @batch, @class, @query, @supports, @iou, @png)
                ON CONFLICT DO NOTHING
                """, connection, transaction);
            AddKey(insert, batch.Key);
            insert.Parameters.AddWithValue("class", sample.ClassId);
            insert.Parameters.AddWithValue("query", sample.QueryId);
            insert.Parameters.AddWithValue("supports", sample.SupportIds.ToArray());
            insert.Parameters.AddWithValue("iou", sample.Iou);
            insert.Parameters.AddWithValue("png", sample.Png);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>A stored batch, or null.</summary>
    public Task<BatchRow?> ReadBatchAsync(BatchKey key, CancellationToken cancellationToken = default) =>
        Retry(ct => ReadBatchOnceAsync(key, ct), cancellationToken);

    private async Task<BatchRow?> ReadBatchOnceAsync(BatchKey key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        double[] seconds;
        string? silo, device;
        await using (var batch = new NpgsqlCommand("""
            SELECT episode_seconds, silo, device FROM episode_batches
             WHERE run_id = @run AND fold = @fold AND method = @method AND shots = @shots AND class_set = @classSet AND test_seed = @testSeed AND batch = @batch
            """, connection))
        {
            AddKey(batch, key);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return null;
            seconds = reader.GetFieldValue<double[]>(0);
            silo = reader.IsDBNull(1) ? null : reader.GetString(1);
            device = reader.IsDBNull(2) ? null : reader.GetString(2);
        }
        var classes = new List<ClassCountsRow>();
        await using (var counts = new NpgsqlCommand("""
            SELECT class_id, episodes, tp, fp, fn, tn FROM batch_class_counts
             WHERE run_id = @run AND fold = @fold AND method = @method AND shots = @shots AND class_set = @classSet AND test_seed = @testSeed AND batch = @batch ORDER BY class_id
            """, connection))
        {
            AddKey(counts, key);
            await using var reader = await counts.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                classes.Add(new ClassCountsRow(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
        }
        return new BatchRow(key, classes, seconds, silo, Device: device);
    }

    public Task<IReadOnlyList<FoldRow>> ReadFoldsAsync(string runId, CancellationToken cancellationToken = default) => QueryAsync("""
        SELECT fold, status, silo, device, iteration, iterations, train_seconds, error, training_device FROM folds WHERE run_id = @run ORDER BY fold
        """, r => new FoldRow(r.GetInt32(0), r.GetString(1), NullableString(r, 2), NullableString(r, 3),
            r.GetInt32(4), r.GetInt32(5), r.IsDBNull(6) ? null : r.GetDouble(6), NullableString(r, 7), NullableString(r, 8)), cancellationToken, ("run", runId));

    /// <summary>Per (fold, method, shots): how many batches are stored and the episodes they hold.</summary>
    public Task<IReadOnlyList<BatchTallyRow>> ReadBatchTallyAsync(string runId, CancellationToken cancellationToken = default) => QueryAsync("""
        SELECT fold, method, shots, count(*)::int, sum(episodes)::int FROM episode_batches WHERE run_id = @run AND class_set = 'unseen'
         GROUP BY fold, method, shots ORDER BY fold, method, shots
        """, r => new BatchTallyRow(r.GetInt32(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4)), cancellationToken, ("run", runId));

    /// <summary>The devices a run's batches were scored on, with how many batches each.</summary>
    public Task<IReadOnlyList<ScoringDeviceRow>> ReadScoringDevicesAsync(string runId, CancellationToken cancellationToken = default) => QueryAsync("""
        SELECT COALESCE(device, 'unrecorded'), count(*)::int FROM episode_batches WHERE run_id = @run GROUP BY 1 ORDER BY 1
        """, r => new ScoringDeviceRow(r.GetString(0), r.GetInt32(1)), cancellationToken, ("run", runId));

    /// <summary>Per (fold, method, shots, class): the summed counts of every stored batch (one aggregate query).</summary>
    public async Task<IReadOnlyList<ClassTotalsRow>> ReadClassTotalsAsync(string runId, CancellationToken cancellationToken = default) =>
        (await ReadClassTotalsAsync([runId], method: null, cancellationToken)).GetValueOrDefault(runId, []);

    /// <summary>The same for several runs at once, of one method or (null) every method, by run id.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<ClassTotalsRow>>> ReadClassTotalsAsync(IReadOnlyList<string> runIds, string? method,
        CancellationToken cancellationToken = default)
    {
        var rows = await QueryAsync("""
            SELECT run_id, fold, method, shots, class_id, sum(episodes)::int, sum(tp)::bigint, sum(fp)::bigint, sum(fn)::bigint, sum(tn)::bigint
              FROM batch_class_counts WHERE run_id = ANY(@runs) AND (@method::text IS NULL OR method = @method) AND class_set = 'unseen'
             GROUP BY run_id, fold, method, shots, class_id ORDER BY run_id, fold, method, shots, class_id
            """, r => (RunId: r.GetString(0), Totals: new ClassTotalsRow(r.GetInt32(1), r.GetString(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5),
                r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9))),
            cancellationToken, ("runs", runIds.ToArray()), ("method", (object?)method ?? DBNull.Value));
        return rows.GroupBy(r => r.RunId).ToDictionary(g => g.Key, g => (IReadOnlyList<ClassTotalsRow>)[.. g.Select(r => r.Totals)]);
    }

    /// <summary>Every stored batch's per-class counts, of either class set (for bootstrap intervals over batches).</summary>
    public Task<IReadOnlyList<BatchClassRow>> ReadBatchClassCountsAsync(string runId, CancellationToken cancellationToken = default) => QueryAsync("""
        SELECT fold, method, shots, batch, class_id, episodes, tp, fp, fn, tn, class_set, test_seed
          FROM batch_class_counts WHERE run_id = @run ORDER BY class_set, fold, method, shots, test_seed, batch, class_id
        """, r => new BatchClassRow(r.GetInt32(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3),
            new ClassCountsRow(r.GetInt32(4), r.GetInt32(5), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9)), r.GetString(10), r.GetInt32(11)),
        cancellationToken, ("run", runId));

    public Task<IReadOnlyList<TimingRow>> ReadTimingsAsync(string runId, CancellationToken cancellationToken = default) => QueryAsync("""
        SELECT method, shots, count(*)::int, avg(s), percentile_cont(0.5) WITHIN GROUP (ORDER BY s)
          FROM episode_batches, unnest(episode_seconds) AS s
         WHERE run_id = @run AND class_set = 'unseen' GROUP BY method, shots ORDER BY method, shots
        """, r => new TimingRow(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetDouble(3), r.GetDouble(4)), cancellationToken, ("run", runId));

    public async Task<RunRecord?> ReadRunAsync(string runId, CancellationToken cancellationToken = default) => (await QueryAsync("""
        SELECT run_id, status, config::text, provenance::text, created_at, started_at, finished_at, error, config_hash, run_group FROM runs WHERE run_id = @run
        """, r => new RunRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDateTime(4),
            r.IsDBNull(5) ? null : r.GetDateTime(5), r.IsDBNull(6) ? null : r.GetDateTime(6), NullableString(r, 7), r.GetString(8), NullableString(r, 9)),
        cancellationToken, ("run", runId)))
        .SingleOrDefault();

    public Task<IReadOnlyList<TrainingPointRow>> ReadTrainingPointsAsync(string runId, CancellationToken cancellationToken = default) => QueryAsync("""
        SELECT fold, network, iteration, loss, iterations_per_second, recorded_at FROM training_points WHERE run_id = @run
         ORDER BY fold, network, iteration
        """, r => new TrainingPointRow(r.GetInt32(0), r.GetString(1), r.GetInt32(2), r.GetDouble(3), r.GetDouble(4), r.GetDateTime(5)),
        cancellationToken, ("run", runId));

    public Task<IReadOnlyList<TrainingEvaluationRow>> ReadTrainingEvaluationsAsync(string runId, CancellationToken cancellationToken = default) => QueryAsync("""
        SELECT fold, network, iteration, episodes, mean_iou FROM training_evaluations WHERE run_id = @run ORDER BY fold, network, iteration
        """, r => new TrainingEvaluationRow(r.GetInt32(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3), r.GetDouble(4)),
        cancellationToken, ("run", runId));

    public Task<IReadOnlyList<CheckpointRow>> ReadCheckpointsAsync(string runId, CancellationToken cancellationToken = default) => QueryAsync("""
        SELECT fold, network, iteration, path, sha256, bytes, created_at FROM checkpoints WHERE run_id = @run ORDER BY fold, network, iteration
        """, r => new CheckpointRow(r.GetInt32(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetString(4), r.GetInt64(5), r.GetDateTime(6)),
        cancellationToken, ("run", runId));

    /// <summary>The newest checkpoint recorded for one of a fold's networks (0: none yet).</summary>
    public async Task<int> ReadLatestCheckpointIterationAsync(string runId, int fold, string network, CancellationToken cancellationToken = default) =>
        (await QueryAsync("""
            SELECT coalesce(max(iteration), 0) FROM checkpoints WHERE run_id = @run AND fold = @fold AND network = @network
            """, r => r.GetInt32(0), cancellationToken, ("run", runId), ("fold", fold), ("network", network))).Single();

    public Task<IReadOnlyList<GalleryEntry>> ReadGalleryAsync(string runId, CancellationToken cancellationToken = default) => QueryAsync("""
        SELECT fold, method, shots, class_id, query_id, support_ids, iou FROM gallery_samples WHERE run_id = @run AND class_set = 'unseen'
         ORDER BY class_id, shots, method
        """, r => new GalleryEntry(r.GetInt32(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3), r.GetString(4), r.GetFieldValue<string[]>(5), r.GetDouble(6)),
        cancellationToken, ("run", runId));

    public async Task<byte[]?> ReadGalleryPngAsync(string runId, int fold, string method, int shots, int classId, CancellationToken cancellationToken = default) =>
        (await QueryAsync("""
            SELECT png FROM gallery_samples
             WHERE run_id = @run AND fold = @fold AND method = @method AND shots = @shots AND class_set = 'unseen' AND class_id = @class
            """, r => r.GetFieldValue<byte[]>(0), cancellationToken, ("run", runId), ("fold", fold), ("method", method), ("shots", shots), ("class", classId)))
        .SingleOrDefault();

    /// <summary>The runs page's rows, newest first (indexed on created_at).</summary>
    public Task<IReadOnlyList<RunListRow>> ListRunsAsync(int limit, CancellationToken cancellationToken = default) => QueryAsync("""
        SELECT r.run_id, r.status, r.config->>'Preset',
               array_to_string(ARRAY(SELECT jsonb_array_elements_text(r.config->'Folds')), ', '),
               array_to_string(ARRAY(SELECT jsonb_array_elements_text(r.config->'Shots')), ', '),
               array_to_string(ARRAY(SELECT jsonb_array_elements_text(r.config->'Methods')), ', '),
               (r.config->>'Seed')::bigint, r.created_at, r.finished_at - r.started_at, r.run_group
          FROM runs r ORDER BY r.created_at DESC LIMIT @limit
        """, r => new RunListRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6),
            r.GetDateTime(7), r.IsDBNull(8) ? null : r.GetTimeSpan(8), NullableString(r, 9)), cancellationToken, ("limit", limit));

    /// <summary>The ids of a group's runs (trained under several seeds), oldest first.</summary>
    public Task<IReadOnlyList<string>> ReadGroupRunIdsAsync(string group, CancellationToken cancellationToken = default) => QueryAsync("""
        SELECT run_id FROM runs WHERE run_group = @group ORDER BY created_at, run_id
        """, r => r.GetString(0), cancellationToken, ("group", group));

    private static void AddKey(NpgsqlCommand command, BatchKey key)
    {
        command.Parameters.AddWithValue("run", key.RunId);
        command.Parameters.AddWithValue("fold", key.Fold);
        command.Parameters.AddWithValue("method", key.Method);
        command.Parameters.AddWithValue("shots", key.Shots);
        command.Parameters.AddWithValue("batch", key.Batch);
        command.Parameters.AddWithValue("classSet", key.ClassSet);
        command.Parameters.AddWithValue("testSeed", key.TestSeed);
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters) => Retry<IReadOnlyList<T>>(async cancel =>
    {
        await using var connection = await OpenAsync(cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancel);
        while (await reader.ReadAsync(cancel)) rows.Add(map(reader));
        return rows;
    }, cancellationToken);

    private Task ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        Retry(async cancel =>
        {
            await using var connection = await OpenAsync(cancel);
            await using var command = new NpgsqlCommand(sql, connection);
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
            await command.ExecuteNonQueryAsync(cancel);
        }, cancellationToken);

    private Task Retry(Func<CancellationToken, Task> operation, CancellationToken cancellationToken) =>
        retry ? DatabaseRetry.RunAsync(operation, cancellationToken) : operation(cancellationToken);

    private Task<T> Retry<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        retry ? DatabaseRetry.RunAsync(operation, cancellationToken) : operation(cancellationToken);

    private Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => Connections.OpenAsync(connectionString, cancellationToken);
}
