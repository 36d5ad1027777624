using Npgsql;
using NpgsqlTypes;
using Rill.Tracking.City;
using Rill.Tracking.Simulator.Simulation;

namespace Rill.Tracking.Simulator.Database;

/// <summary>
/// The "database approach" of the issue, implemented inside the simulator: each rider update is one INSERT into
/// PostgreSQL (the phone waits for it), each customer polls the newest position of its order every
/// <see cref="PollInterval"/>. No HTTP server in between, which only flatters this approach.
/// </summary>
sealed class PostgresBackend : ITrackingBackend
{
    readonly NpgsqlDataSource _db;

    PostgresBackend(NpgsqlDataSource db, TimeSpan pollInterval)
    {
        _db = db;
        PollInterval = pollInterval;
    }

    public string Name => $"PostgreSQL (poll {PollInterval.TotalMilliseconds:F0} ms)";
    public TimeSpan PollInterval { get; }
    public long Inserts => Interlocked.Read(ref _inserts);
    public long Polls => Interlocked.Read(ref _polls);
    long _inserts, _polls;

    /// <summary>Connects and (re)creates the tables.</summary>
    public static async Task<PostgresBackend> CreateAsync(string connectionString, TimeSpan pollInterval, int maxPoolSize, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = maxPoolSize, Timeout = 30, CommandTimeout = 60 };
        var db = NpgsqlDataSource.Create(builder.ConnectionString);
        await using (var cmd = db.CreateCommand("""
            DROP TABLE IF EXISTS positions;
            DROP TABLE IF EXISTS orders;
            CREATE TABLE orders (order_id text PRIMARY KEY, rider_id text NOT NULL, status text NOT NULL);
            CREATE TABLE positions (
                id bigserial PRIMARY KEY, rider_id text NOT NULL, order_id text, lat double precision NOT NULL,
                lon double precision NOT NULL, speed_mps real, heading real, ts bigint NOT NULL, seq bigint NOT NULL);
            CREATE INDEX positions_order_ts ON positions (order_id, ts DESC);
            """))
            await cmd.ExecuteNonQueryAsync(ct);
        return new PostgresBackend(db, pollInterval);
    }

    public async Task<long> CountRowsAsync(CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("SELECT count(*) FROM positions");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public Task<IRiderLink> ConnectRiderAsync(string riderId, string region, CancellationToken ct) =>
        Task.FromResult<IRiderLink>(new Link(this, riderId));

    public async Task<string> CreateOrderAsync(string orderId, string riderId, Restaurant restaurant, GeoPoint customer, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("INSERT INTO orders (order_id, rider_id, status) VALUES ($1, $2, 'assigned')");
        cmd.Parameters.AddWithValue(orderId);
        cmd.Parameters.AddWithValue(riderId);
        await cmd.ExecuteNonQueryAsync(ct);
        return "-";
    }

    public Task PickedUpAsync(string orderId, CancellationToken ct) => SetStatusAsync(orderId, "picked-up", ct);
    public Task DeliveredAsync(string orderId, CancellationToken ct) => SetStatusAsync(orderId, "delivered", ct);

    async Task SetStatusAsync(string orderId, string status, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("UPDATE orders SET status = $2 WHERE order_id = $1");
        cmd.Parameters.AddWithValue(orderId);
        cmd.Parameters.AddWithValue(status);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task WatchOrderAsync(OrderWatch watch, CancellationToken ct)
    {
        watch.Armed = true;
        using var timer = new PeriodicTimer(PollInterval);
        long last = long.MinValue;
        while (await timer.WaitForNextTickAsync(ct))
        {
            await using var cmd = _db.CreateCommand("SELECT lat, lon, ts FROM positions WHERE order_id = $1 ORDER BY ts DESC LIMIT 1");
            cmd.Parameters.AddWithValue(watch.OrderId);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            Interlocked.Increment(ref _polls);
            if (!await reader.ReadAsync(ct)) continue;
            long ts = reader.GetInt64(2);
            if (ts != last)
            {
                last = ts;
                watch.OnReceived(ts, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            }
        }
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    sealed class Link(PostgresBackend owner, string riderId) : IRiderLink
    {
        long _sent, _acked, _errors, _seq;

        public long Sent => Interlocked.Read(ref _sent);
        public long Acked => Interlocked.Read(ref _acked);
        public long Errors => Interlocked.Read(ref _errors);
        public long Unacked => Sent - Acked - Errors;
        public string? Closed => null;

        public async ValueTask SendAsync(string? orderId, RiderPosition fix, long tsMs, CancellationToken ct)
        {
            Interlocked.Increment(ref _sent);
            try
            {
                await using var cmd = owner._db.CreateCommand(
                    "INSERT INTO positions (rider_id, order_id, lat, lon, speed_mps, heading, ts, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
                cmd.Parameters.AddWithValue(riderId);
                cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)orderId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                cmd.Parameters.AddWithValue(fix.Lat);
                cmd.Parameters.AddWithValue(fix.Lon);
                cmd.Parameters.AddWithValue((float)fix.SpeedMps);
                cmd.Parameters.AddWithValue((float)fix.Heading);
                cmd.Parameters.AddWithValue(tsMs);
                cmd.Parameters.AddWithValue(++_seq);
                await cmd.ExecuteNonQueryAsync(ct);
                Interlocked.Increment(ref _acked);
                Interlocked.Increment(ref owner._inserts);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                Interlocked.Increment(ref _errors);
            }
        }

        public async Task<bool> DrainAsync(TimeSpan timeout)
        {
            var until = DateTime.UtcNow + timeout;
            while (Unacked > 0 && DateTime.UtcNow < until) await Task.Delay(10);
            return Unacked == 0;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
