using Npgsql;
using NpgsqlTypes;
using Rill.Tracking.Positions;

namespace Rill.Tracking.History;

/// <summary>
/// History in PostgreSQL: each batch is binary-COPied into a per-connection temporary table, then
/// moved with INSERT ... SELECT ... ON CONFLICT DO NOTHING (the primary key (rider_id, ts) drops
/// replays), in one transaction. Every other statement is parameterised.
/// </summary>
public sealed class PostgresHistoryStore(string connectionString) : IHistoryStore
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    /// <summary>Stored for an update without a seq (the key column cannot be null).</summary>

    public string Name => "postgresql";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            CREATE TABLE IF NOT EXISTS positions (
                rider_id TEXT NOT NULL, ts BIGINT NOT NULL, order_id TEXT, region TEXT,
                lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL, speed_mps DOUBLE PRECISION, heading DOUBLE PRECISION,
                seq BIGINT NOT NULL, received_ts BIGINT NOT NULL,
                PRIMARY KEY (rider_id, ts, seq));
            CREATE INDEX IF NOT EXISTS positions_order ON positions (order_id, ts);
            CREATE TABLE IF NOT EXISTS order_summaries (
                order_id TEXT PRIMARY KEY, rider_id TEXT NOT NULL, route_meters DOUBLE PRECISION NOT NULL,
                duration_seconds DOUBLE PRECISION NOT NULL, average_speed_mps DOUBLE PRECISION NOT NULL, points INTEGER NOT NULL,
                delivered_ts BIGINT NOT NULL);
            """;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> WriteBatchAsync(IReadOnlyList<RiderUpdate> batch, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE IF NOT EXISTS positions_stage (LIKE positions INCLUDING DEFAULTS) ON COMMIT DELETE ROWS", connection, tx))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY positions_stage (rider_id, ts, order_id, region, lat, lon, speed_mps, heading, seq, received_ts) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (RiderUpdate u in batch)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(u.RiderId, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(u.Ts, NpgsqlDbType.Bigint, cancellationToken);
                await WriteNullableAsync(import, u.OrderId, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(u.Region, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(u.Lat, NpgsqlDbType.Double, cancellationToken);
                await import.WriteAsync(u.Lon, NpgsqlDbType.Double, cancellationToken);
                await WriteNullableAsync(import, u.SpeedMps, NpgsqlDbType.Double, cancellationToken);
                await WriteNullableAsync(import, u.Heading, NpgsqlDbType.Double, cancellationToken);
                await import.WriteAsync(u.Seq ?? HistoryRows.NoSeq, NpgsqlDbType.Bigint, cancellationToken);
                await import.WriteAsync(u.ReceivedTs, NpgsqlDbType.Bigint, cancellationToken);
            }
            await import.CompleteAsync(cancellationToken);
        }
        int inserted;
        await using (var move = new NpgsqlCommand(
            "INSERT INTO positions SELECT * FROM positions_stage ON CONFLICT (rider_id, ts, seq) DO NOTHING", connection, tx))
        {
            inserted = await move.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return inserted;
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter import, T? value, NpgsqlDbType type, CancellationToken cancellationToken) where T : struct
    {
        if (value is { } v)
        {
            await import.WriteAsync(v, type, cancellationToken);
        }
        else
        {
            await import.WriteNullAsync(cancellationToken);
        }
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter import, string? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is not null)
        {
            await import.WriteAsync(value, type, cancellationToken);
        }
        else
        {
            await import.WriteNullAsync(cancellationToken);
        }
    }

    public async Task<IReadOnlyList<HistoryRow>> QueryAsync(string riderId, long fromTs, long toTs, int limit, CancellationToken cancellationToken)
    {
        await using var cmd = _source.CreateCommand($"""
            SELECT {HistoryRows.Columns} FROM positions
            WHERE rider_id = $1 AND ts >= $2 AND ts <= $3 ORDER BY ts LIMIT $4
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = riderId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = fromTs });
        cmd.Parameters.Add(new NpgsqlParameter { Value = toTs });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (long)limit });
        return await HistoryRows.ReadAllAsync(cmd, cancellationToken);
    }

    public async Task<IReadOnlyList<HistoryRow>> OrderRouteAsync(string orderId, CancellationToken cancellationToken)
    {
        await using var cmd = _source.CreateCommand($"SELECT {HistoryRows.Columns} FROM positions WHERE order_id = $1 ORDER BY ts");
        cmd.Parameters.Add(new NpgsqlParameter { Value = orderId });
        return await HistoryRows.ReadAllAsync(cmd, cancellationToken);
    }


    public async Task<bool> WriteSummaryAsync(OrderSummary s, CancellationToken cancellationToken)
    {
        await using var cmd = _source.CreateCommand("""
            INSERT INTO order_summaries (order_id, rider_id, route_meters, duration_seconds, average_speed_mps, points, delivered_ts)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id) DO NOTHING
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.OrderId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.RiderId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.RouteMeters });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.DurationSeconds });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.AverageSpeedMps });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.Points });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.DeliveredTs });
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<OrderSummary?> FindSummaryAsync(string orderId, CancellationToken cancellationToken)
    {
        await using var cmd = _source.CreateCommand(
            "SELECT order_id, rider_id, route_meters, duration_seconds, average_speed_mps, points, delivered_ts FROM order_summaries WHERE order_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = orderId });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new OrderSummary(reader.GetString(0), reader.GetString(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4), reader.GetInt32(5), reader.GetInt64(6))
            : null;
    }

    public async Task<(long Rows, long Summaries)> CountAsync(CancellationToken cancellationToken)
    {
        await using var cmd = _source.CreateCommand("SELECT (SELECT COUNT(*) FROM positions), (SELECT COUNT(*) FROM order_summaries)");
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
