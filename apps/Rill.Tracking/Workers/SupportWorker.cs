using System.Collections.Concurrent;
using Rill.Tracking.Hosting;
using Rill.Tracking.Orders;
using Rill.Tracking.Positions;
using Rill.Tracking.Streaming;

namespace Rill.Tracking.Workers;

/// <summary>
/// Group tracking-support: every rider's last position, region, order and route so far (for the
/// current order, capped), seeded from rider-latest at start; raises an `alert` once when a rider on
/// an active order has been silent for the configured time (30 s).
/// </summary>
public sealed class SupportWorker(KafkaRuntime kafka, RoleStatus status, OrderBook book, SseHub hub, RiderLatestFollower latest,
    TrackingOptions options, ILogger<SupportWorker> logger) : GroupWorker(kafka, status, logger)
{
    public const int MaxRoutePoints = 5000;

    private readonly ConcurrentDictionary<string, RiderTrack> _riders = new(StringComparer.Ordinal);
    private Task? _alerts;

    protected override Roles Role => Roles.Support;
    protected override string GroupId => GroupIds.Support;

    public sealed class RiderTrack(string riderId)
    {
        public string RiderId { get; } = riderId;
        public string Region { get; set; } = "";
        public string? OrderId { get; set; }
        public double Lat { get; set; }
        public double Lon { get; set; }
        public long Ts { get; set; }
        public List<(double Lat, double Lon, long Ts)> Route { get; } = [];
        public bool Silent { get; set; }
    }

    public record RiderSummary(string RiderId, string Region, string? OrderId, double Lat, double Lon, long Ts, double AgeSeconds);

    public record RiderDetail(string RiderId, string Region, string? OrderId, double Lat, double Lon, long Ts, double AgeSeconds,
        IReadOnlyList<RoutePoint> Route, bool Silent);

    public record RoutePoint(double Lat, double Lon, long Ts);

    protected override async Task StartingAsync(CancellationToken cancellationToken)
    {
        // rider-latest lets a restarted worker show every rider at once
        await Task.WhenAny(latest.CaughtUp, Task.Delay(TimeSpan.FromSeconds(10), cancellationToken));
        foreach (RiderUpdate u in latest.All)
        {
            Observe(u, appendRoute: false);
        }
        _alerts ??= AlertLoopAsync(cancellationToken);
    }

    protected override ValueTask HandleAsync(RiderUpdate update, CancellationToken cancellationToken)
    {
        latest.Observe(update);
        Observe(update, appendRoute: true);
        return ValueTask.CompletedTask;
    }

    private void Observe(RiderUpdate u, bool appendRoute)
    {
        RiderTrack track = _riders.GetOrAdd(u.RiderId, id => new RiderTrack(id));
        lock (track)
        {
            if (u.Ts < track.Ts)
            {
                return;
            }
            string? orderId = u.OrderId ?? book.ActiveOrderOf(u.RiderId)?.OrderId;
            if (orderId != track.OrderId)
            {
                track.Route.Clear();
            }
            (track.Region, track.OrderId, track.Lat, track.Lon, track.Ts, track.Silent) = (u.Region, orderId, u.Lat, u.Lon, u.Ts, false);
            if (appendRoute)
            {
                if (track.Route.Count >= MaxRoutePoints)
                {
                    track.Route.RemoveRange(0, MaxRoutePoints / 10);
                }
                track.Route.Add((u.Lat, u.Lon, u.Ts));
            }
        }
    }

    public IReadOnlyList<RiderSummary> Search(string? q, int limit = 200)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var result = new List<RiderSummary>();
        foreach (RiderTrack t in _riders.Values)
        {
            RiderSummary s = Summary(t, now);
            if (string.IsNullOrEmpty(q) || s.RiderId.Contains(q, StringComparison.OrdinalIgnoreCase)
                || (s.OrderId?.Contains(q, StringComparison.OrdinalIgnoreCase) ?? false))
            {
                result.Add(s);
            }
        }
        return result.OrderBy(s => s.RiderId, StringComparer.Ordinal).Take(limit).ToList();
    }

    public RiderDetail? Find(string riderId)
    {
        if (!_riders.TryGetValue(riderId, out RiderTrack? t))
        {
            return null;
        }
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        lock (t)
        {
            RiderSummary s = Summary(t, now);
            return new RiderDetail(s.RiderId, s.Region, s.OrderId, s.Lat, s.Lon, s.Ts, s.AgeSeconds,
                t.Route.Select(p => new RoutePoint(p.Lat, p.Lon, p.Ts)).ToList(), t.Silent);
        }
    }

    private static RiderSummary Summary(RiderTrack t, long now) =>
        new(t.RiderId, t.Region, t.OrderId, t.Lat, t.Lon, t.Ts, Math.Max(0, (now - t.Ts) / 1000.0));

    /// <summary>The riders event carries at most this many riders (the most recently heard from).</summary>
    public const int MaxRidersPerEvent = 5000;

    public object RidersEvent()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        IEnumerable<RiderTrack> riders = _riders.Count <= MaxRidersPerEvent
            ? _riders.Values
            : _riders.Values.OrderByDescending(t => t.Ts).Take(MaxRidersPerEvent);
        return new
        {
            riders = riders.Select(t => new { riderId = t.RiderId, lat = t.Lat, lon = t.Lon, ageSeconds = Math.Round(Math.Max(0, (now - t.Ts) / 1000.0), 1), orderId = t.OrderId }).ToList(),
        };
    }

    private async Task AlertLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                CheckSilence(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                if (hub.HasSubscribers(SseHub.SupportKey))
                {
                    hub.Publish(SseHub.SupportKey, "riders", RidersEvent());
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Raises one alert per silence for riders on an active order.</summary>
    internal void CheckSilence(long now)
    {
        foreach (RiderTrack t in _riders.Values)
        {
            OrderState? order = book.ActiveOrderOf(t.RiderId);
            if (order is null || t.Silent || now - t.Ts < options.SilenceAlert.TotalMilliseconds)
            {
                continue;
            }
            t.Silent = true;
            hub.Publish(SseHub.SupportKey, "alert", new { riderId = t.RiderId, orderId = order.OrderId, silentSeconds = (int)((now - t.Ts) / 1000) });
        }
    }
}
