using Microsoft.Data.Sqlite;
using Rill.Tracking.Positions;

namespace Rill.Tracking.History;

/// <summary>
/// History in a SQLite file (WAL): one writer connection, a batch per transaction with a prepared
/// INSERT OR IGNORE (the primary key (rider_id, ts) drops replays); reads use their own connections.
/// </summary>
public sealed class SqliteHistoryStore : IHistoryStore
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;

    static SqliteHistoryStore() => SQLitePCL.Batteries_V2.Init();

    public SqliteHistoryStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
    }

    public string Path { get; }

    /// <summary>Stored for an update without a seq (the key column cannot be null).</summary>

    public string Name => $"sqlite:{Path}";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _writer = new SqliteConnection(_connectionString);
        await _writer.OpenAsync(cancellationToken);
        await using var cmd = _writer.CreateCommand();
        cmd.CommandText = """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            CREATE TABLE IF NOT EXISTS positions (
                rider_id TEXT NOT NULL, ts INTEGER NOT NULL, order_id TEXT, region TEXT,
                lat REAL NOT NULL, lon REAL NOT NULL, speed_mps REAL, heading REAL, seq INTEGER NOT NULL, received_ts INTEGER NOT NULL,
                PRIMARY KEY (rider_id, ts, seq)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS positions_order ON positions (order_id, ts);
            CREATE TABLE IF NOT EXISTS order_summaries (
                order_id TEXT PRIMARY KEY, rider_id TEXT NOT NULL, route_meters REAL NOT NULL, duration_seconds REAL NOT NULL,
                average_speed_mps REAL NOT NULL, points INTEGER NOT NULL, delivered_ts INTEGER NOT NULL);
            """;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> WriteBatchAsync(IReadOnlyList<RiderUpdate> batch, CancellationToken cancellationToken)
    {
        SqliteConnection connection = _writer ?? throw new InvalidOperationException("Not initialised.");
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT OR IGNORE INTO positions (rider_id, ts, order_id, region, lat, lon, speed_mps, heading, seq, received_ts)
                VALUES ($rider, $ts, $order, $region, $lat, $lon, $speed, $heading, $seq, $received)
                """;
            var rider = cmd.Parameters.Add("$rider", SqliteType.Text);
            var ts = cmd.Parameters.Add("$ts", SqliteType.Integer);
            var order = cmd.Parameters.Add("$order", SqliteType.Text);
            var region = cmd.Parameters.Add("$region", SqliteType.Text);
            var lat = cmd.Parameters.Add("$lat", SqliteType.Real);
            var lon = cmd.Parameters.Add("$lon", SqliteType.Real);
            var speed = cmd.Parameters.Add("$speed", SqliteType.Real);
            var heading = cmd.Parameters.Add("$heading", SqliteType.Real);
            var seq = cmd.Parameters.Add("$seq", SqliteType.Integer);
            var received = cmd.Parameters.Add("$received", SqliteType.Integer);
            cmd.Prepare();
            int inserted = 0;
            foreach (RiderUpdate u in batch)
            {
                rider.Value = u.RiderId;
                ts.Value = u.Ts;
                order.Value = (object?)u.OrderId ?? DBNull.Value;
                region.Value = u.Region;
                lat.Value = u.Lat;
                lon.Value = u.Lon;
                speed.Value = (object?)u.SpeedMps ?? DBNull.Value;
                heading.Value = (object?)u.Heading ?? DBNull.Value;
                seq.Value = u.Seq ?? HistoryRows.NoSeq;
                received.Value = u.ReceivedTs;
                inserted += await cmd.ExecuteNonQueryAsync(cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
            return inserted;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public async Task<IReadOnlyList<HistoryRow>> QueryAsync(string riderId, long fromTs, long toTs, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = $"""
            SELECT {HistoryRows.Columns} FROM positions
            WHERE rider_id = $rider AND ts >= $from AND ts <= $to ORDER BY ts LIMIT $limit
            """;
        cmd.Parameters.AddWithValue("$rider", riderId);
        cmd.Parameters.AddWithValue("$from", fromTs);
        cmd.Parameters.AddWithValue("$to", toTs);
        cmd.Parameters.AddWithValue("$limit", limit);
        return await HistoryRows.ReadAllAsync(cmd, cancellationToken);
    }

    public async Task<IReadOnlyList<HistoryRow>> OrderRouteAsync(string orderId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT {HistoryRows.Columns} FROM positions WHERE order_id = $order ORDER BY ts";
        cmd.Parameters.AddWithValue("$order", orderId);
        return await HistoryRows.ReadAllAsync(cmd, cancellationToken);
    }


    public async Task<bool> WriteSummaryAsync(OrderSummary s, CancellationToken cancellationToken)
    {
        SqliteConnection connection = _writer ?? throw new InvalidOperationException("Not initialised.");
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                INSERT OR IGNORE INTO order_summaries (order_id, rider_id, route_meters, duration_seconds, average_speed_mps, points, delivered_ts)
                VALUES ($order, $rider, $meters, $seconds, $speed, $points, $delivered)
                """;
            cmd.Parameters.AddWithValue("$order", s.OrderId);
            cmd.Parameters.AddWithValue("$rider", s.RiderId);
            cmd.Parameters.AddWithValue("$meters", s.RouteMeters);
            cmd.Parameters.AddWithValue("$seconds", s.DurationSeconds);
            cmd.Parameters.AddWithValue("$speed", s.AverageSpeedMps);
            cmd.Parameters.AddWithValue("$points", s.Points);
            cmd.Parameters.AddWithValue("$delivered", s.DeliveredTs);
            return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<OrderSummary?> FindSummaryAsync(string orderId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT order_id, rider_id, route_meters, duration_seconds, average_speed_mps, points, delivered_ts FROM order_summaries WHERE order_id = $order";
        cmd.Parameters.AddWithValue("$order", orderId);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new OrderSummary(reader.GetString(0), reader.GetString(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4), reader.GetInt32(5), reader.GetInt64(6))
            : null;
    }

    public async Task<(long Rows, long Summaries)> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT (SELECT COUNT(*) FROM positions), (SELECT COUNT(*) FROM order_summaries)";
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
            _writer = null;
        }
        _writeLock.Dispose();
    }
}
