using Npgsql;

namespace SegCluster.Storage;

/// <summary>Many finished OSLSM runs (4 folds, 1- and 5-shot, per-batch class counts as episode grains store them) for `bench dashboard`.</summary>
public static class SyntheticRuns
{
    /// <summary>Finished runs and their scored batches, generated in the database (counts vary by a hash of their key).</summary>
    public static async Task<(long Batches, long Counts)> SeedAsync(string database, int runs, int episodesPerFold, int batchSize, CancellationToken cancel)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancel);
        await using var seed = new NpgsqlCommand("""
            INSERT INTO runs (run_id, status, config, config_hash, provenance, created_at, started_at, finished_at)
            SELECT format('bench-%s', lpad(r::text, 4, '0')), 'done',
                   jsonb_build_object('RunId', format('bench-%s', lpad(r::text, 4, '0')), 'Preset', 'vgg16-fcn32s', 'Folds', jsonb_build_array(0, 1, 2, 3),
                                      'Shots', jsonb_build_array(1, 5), 'Methods', jsonb_build_array('oslsm'), 'Seed', r, 'Voc', '/data/VOCdevkit'),
                   'hash', '{}', now() - r * interval '1 hour', now() - r * interval '1 hour', now() - r * interval '1 hour' + interval '20 minutes'
              FROM generate_series(1, @runs) r;
            INSERT INTO folds (run_id, fold, status, iteration, iterations)
            SELECT run_id, f, 'done', 60000, 60000 FROM runs, generate_series(0, 3) f;
            INSERT INTO episode_batches (run_id, fold, method, shots, batch, episodes, episode_seconds, silo)
            SELECT run_id, fold, 'oslsm', k, b, @batch, array_fill(0.2::float8, ARRAY[@batch]), 'silo'
              FROM folds, unnest(ARRAY[1, 5]) k, generate_series(0, @batches - 1) b;
            INSERT INTO batch_class_counts (run_id, fold, method, shots, batch, class_id, episodes, tp, fp, fn, tn)
            SELECT run_id, fold, method, shots, batch, 5 * fold + c, @batch / 5,
                   1000 + abs(hashtext(run_id || fold || shots || batch || c)) % 20000, 1000 + abs(hashtext(c || run_id || batch)) % 8000,
                   1000 + abs(hashtext(batch || run_id || c)) % 8000, 200000
              FROM episode_batches, generate_series(1, 5) c;
            ANALYZE;
            """, connection);
        seed.Parameters.AddWithValue("runs", runs);
        seed.Parameters.AddWithValue("batch", batchSize);
        seed.Parameters.AddWithValue("batches", episodesPerFold / batchSize);
        seed.CommandTimeout = 600;
        await seed.ExecuteNonQueryAsync(cancel);
        await using var count = new NpgsqlCommand("SELECT (SELECT count(*) FROM episode_batches), (SELECT count(*) FROM batch_class_counts)", connection);
        await using var reader = await count.ExecuteReaderAsync(cancel);
        await reader.ReadAsync(cancel);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
