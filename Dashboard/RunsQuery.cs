using Npgsql;

namespace SegCluster.Dashboard;

/// <summary>One row of the runs page.</summary>
public sealed record RunRow(string RunId, string Status, string Preset, string Folds, string Shots, string Methods, long Seed,
    DateTime CreatedAt, TimeSpan? Duration, double? MeanIou1, double? MeanIou5);

/// <summary>
/// The runs page's query: one aggregate statement, newest first (indexed on created_at). meanIoU is the paper's:
/// per fold, the mean over its five test classes of tp/(tp+fp+fn) (a class without episodes counts 0), then the
/// mean over the run's folds.
/// </summary>
public sealed class RunsQuery(string connectionString)
{
    public async Task<IReadOnlyList<RunRow>> ListAsync(int limit = 200, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand("""
            SELECT r.run_id, r.status, r.config->>'Preset', array_to_string(ARRAY(SELECT jsonb_array_elements_text(r.config->'Folds')), ', '), array_to_string(ARRAY(SELECT jsonb_array_elements_text(r.config->'Shots')), ', '), array_to_string(ARRAY(SELECT jsonb_array_elements_text(r.config->'Methods')), ', '),
                   (r.config->>'Seed')::bigint, r.created_at, r.finished_at - r.started_at,
                   m.iou1, m.iou5
              FROM runs r
              LEFT JOIN LATERAL (
                  SELECT avg(fold_iou) FILTER (WHERE shots = 1) AS iou1, avg(fold_iou) FILTER (WHERE shots = 5) AS iou5
                    FROM (SELECT fold, shots, sum(CASE WHEN tp + fp + fn = 0 THEN 0 ELSE tp::float8 / (tp + fp + fn) END) / 5 AS fold_iou
                            FROM (SELECT fold, shots, class_id, sum(tp) tp, sum(fp) fp, sum(fn) fn
                                    FROM batch_class_counts c
                                   WHERE c.run_id = r.run_id AND c.method = 'oslsm'
                                     AND c.class_id BETWEEN 5 * c.fold + 1 AND 5 * c.fold + 5
                                   GROUP BY fold, shots, class_id) per_class
                           GROUP BY fold, shots) per_fold) m ON true
             ORDER BY r.created_at DESC
             LIMIT @limit
            """, connection);
        query.Parameters.AddWithValue("limit", limit);
        var rows = new List<RunRow>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new RunRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetInt64(6), reader.GetDateTime(7), reader.IsDBNull(8) ? null : reader.GetTimeSpan(8),
                reader.IsDBNull(9) ? null : reader.GetDouble(9), reader.IsDBNull(10) ? null : reader.GetDouble(10)));
        return rows;
    }
}
