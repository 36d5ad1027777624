using System.Collections.Concurrent;

namespace Rill.Tracking.Geo;

/// <summary>
/// ETA = distance along the road graph / the rider's recent speed. Road routing is the costly part,
/// so each (rider, target) pair is routed at most every <see cref="RerouteInterval"/>; in between the
/// last road distance is scaled by how the straight-line distance changed. Recent speed is an
/// exponential average of the reported (or, when missing, derived) speeds, floored at walking pace.
/// </summary>
public sealed class EtaEstimator(CityMap city)
{
    public static readonly TimeSpan RerouteInterval = TimeSpan.FromSeconds(3);
    public const double DefaultSpeedMps = 4.5;
    public const double MinSpeedMps = 1.0;

    private readonly ConcurrentDictionary<string, SpeedState> _speeds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Rider, string Target), Routed> _routes = new();

    /// <summary>Feeds a position; returns the rider's recent speed in m/s.</summary>
    public double ObserveSpeed(string riderId, double lat, double lon, long ts, double? reportedSpeed)
    {
        SpeedState s = _speeds.GetOrAdd(riderId, _ => new SpeedState());
        lock (s)
        {
            double? sample = reportedSpeed;
            if (sample is null && s.LastTs > 0 && ts > s.LastTs)
            {
                sample = GeoMath.DistanceMeters(s.LastLat, s.LastLon, lat, lon) / ((ts - s.LastTs) / 1000.0);
            }
            if (sample is { } v && double.IsFinite(v))
            {
                s.Average = s.Samples == 0 ? v : s.Average * 0.8 + v * 0.2;
                s.Samples++;
            }
            if (ts >= s.LastTs)
            {
                (s.LastLat, s.LastLon, s.LastTs) = (lat, lon, ts);
            }
            return s.Samples == 0 ? DefaultSpeedMps : Math.Max(MinSpeedMps, s.Average);
        }
    }

    /// <summary>Road distance from the rider's position to the target, re-routed at most every few seconds.</summary>
    public double RoadDistanceMeters(string riderId, string targetKey, double lat, double lon, double toLat, double toLon)
    {
        double straight = GeoMath.DistanceMeters(lat, lon, toLat, toLon);
        long now = Environment.TickCount64;
        var key = (riderId, targetKey);
        if (_routes.TryGetValue(key, out Routed? r) && now - r.At < RerouteInterval.TotalMilliseconds && r.Straight > 1)
        {
            return r.Road * (straight / r.Straight);
        }
        double road = Math.Max(straight, city.RoadDistanceMeters(lat, lon, toLat, toLon));
        _routes[key] = new Routed(road, straight, now);
        return road;
    }

    public int EtaSeconds(string riderId, string targetKey, double lat, double lon, double toLat, double toLon, double speedMps) =>
        (int)Math.Round(RoadDistanceMeters(riderId, targetKey, lat, lon, toLat, toLon) / Math.Max(MinSpeedMps, speedMps));

    public void Forget(string riderId, string targetKey) => _routes.TryRemove((riderId, targetKey), out _);

    private sealed class SpeedState
    {
        public double Average;
        public int Samples;
        public double LastLat, LastLon;
        public long LastTs;
    }

    private sealed record Routed(double Road, double Straight, long At);
}
