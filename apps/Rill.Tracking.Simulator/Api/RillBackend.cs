using System.Net.WebSockets;
using System.Text.Json;
using Rill.Tracking.City;
using Rill.Tracking.Simulator.Simulation;

namespace Rill.Tracking.Simulator.Api;

/// <summary>The Rill tracking app: riders over the WebSocket ingest, customers on the order SSE stream.</summary>
sealed class RillBackend(AppClient app) : ITrackingBackend
{
    readonly HttpClient _streams = new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public string Name => "Rill";
    /// <summary>Phone send -> ack (the ingest's produce to the broker and back), every rider.</summary>
    public Metrics.LatencyHistogram AckLatency { get; } = new();
    public AppClient App => app;

    public async Task<IRiderLink> ConnectRiderAsync(string riderId, string region, CancellationToken ct)
    {
        string token = await app.CreateRiderAsync(riderId, region, ct);
        var client = new RiderSocketClient(riderId);
        client.AckReceived += (_, rtt) => AckLatency.Record(rtt.TotalMilliseconds);
        try
        {
            await client.ConnectAsync(app.BaseUri, token, ct);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
        return new Link(client);
    }

    public async Task<string> CreateOrderAsync(string orderId, string riderId, Restaurant restaurant, GeoPoint customer, CancellationToken ct) =>
        (await app.CreateOrderAsync(orderId, riderId, restaurant, customer, ct)).CustomerToken;

    public Task PickedUpAsync(string orderId, CancellationToken ct) => app.PickedUpAsync(orderId, ct);
    public Task DeliveredAsync(string orderId, CancellationToken ct) => app.DeliveredAsync(orderId, ct);

    public async Task WatchOrderAsync(OrderWatch watch, CancellationToken ct)
    {
        using var response = await app.OpenOrderStreamAsync(_streams, watch.OrderId, watch.CustomerToken, ct);
        watch.Armed = true;
        await foreach (var (name, data) in ServerSentEvents.ReadAsync(await response.Content.ReadAsStreamAsync(ct), ct))
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            switch (name)
            {
                case "position":
                    using (var doc = JsonDocument.Parse(data))
                        if (doc.RootElement.TryGetProperty("ts", out var ts)) watch.OnReceived(ts.GetInt64(), now);
                    break;
                case "near": Interlocked.Increment(ref watch.NearEvents); break;
                case "delivered": Interlocked.Increment(ref watch.DeliveredEvents); break;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _streams.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A rider's WebSocket; sends are pipelined (acks come back asynchronously), at most 1,000 unacked.</summary>
    sealed class Link(RiderSocketClient client) : IRiderLink, LoadTest.IUnackedSeqs
    {
        const int Window = 1_000;

        public long Sent => client.Sent;
        public long Acked => client.Acked;
        public long Errors => client.Errors;
        public long Unacked => client.UnackedCount;
        public RiderSocketClient Client => client;
        public IReadOnlyCollection<long> UnackedSeqs => client.UnackedSeqs;

        public string? Closed => client.State is WebSocketState.Open
            ? null
            : $"{client.CloseStatus?.ToString() ?? client.State.ToString()} {client.CloseDescription}".Trim();

        public async ValueTask SendAsync(string? orderId, RiderPosition fix, long tsMs, CancellationToken ct)
        {
            while (client.UnackedCount >= Window && client.State == WebSocketState.Open) await Task.Delay(5, ct);
            try
            {
                await client.SendAsync(orderId, fix.Lat, fix.Lon, fix.SpeedMps, fix.Heading, tsMs, ct: ct);
            }
            catch (WebSocketException) { }     // the link is closed; Closed says why
        }

        public Task<bool> DrainAsync(TimeSpan timeout) => client.WaitAllAckedAsync(timeout);

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }
}
