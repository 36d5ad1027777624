namespace Rill.Tracking.City;

/// <summary>One reported position of a rider: a GPS fix (with noise), the current speed and heading.</summary>
public readonly record struct RiderPosition(double Lat, double Lon, double SpeedMps, double Heading, bool Arrived);

/// <summary>
/// A rider riding a route: the speed wanders around a cruise speed, the rider stops now and then (traffic lights),
/// and each reported fix has a few metres of GPS noise. Deterministic for a seed; advance it by the seconds that passed.
/// </summary>
public sealed class RiderMovement
{
    readonly Random _rng;
    readonly double _cruise;
    double _speed;
    double _stoppedFor;

    public RiderMovement(Route route, double cruiseSpeedMps, int seed, double gpsNoiseMeters = 3)
    {
        if (cruiseSpeedMps <= 0) throw new ArgumentOutOfRangeException(nameof(cruiseSpeedMps));
        Route = route;
        _cruise = cruiseSpeedMps;
        _speed = cruiseSpeedMps;
        _rng = new Random(seed);
        GpsNoiseMeters = gpsNoiseMeters;
    }

    public Route Route { get; }
    public double GpsNoiseMeters { get; }
    public double TravelledMeters { get; private set; }
    public double RemainingMeters => Math.Max(0, Route.LengthMeters - TravelledMeters);
    public bool Arrived => TravelledMeters >= Route.LengthMeters;

    /// <summary>The true (noise-free) position on the route.</summary>
    public GeoPoint TruePosition => Route.At(TravelledMeters).Point;

    /// <summary>Moves the rider on by <paramref name="seconds"/> and returns the fix its phone would report.</summary>
    public RiderPosition Advance(double seconds)
    {
        if (seconds < 0) throw new ArgumentOutOfRangeException(nameof(seconds));
        // Simulate in steps of at most a second, so a long step (a sped-up simulation) behaves like many short ones.
        double remaining = seconds, current = _stoppedFor > 0 ? 0 : _speed;
        while (remaining > 1e-9 && !Arrived)
        {
            if (_stoppedFor > 0)
            {
                double wait = Math.Min(_stoppedFor, remaining);
                _stoppedFor -= wait;
                remaining -= wait;
                current = 0;
                continue;
            }
            double dt = Math.Min(1, remaining);
            if (_rng.NextDouble() < 0.02 * dt)
            {
                _stoppedFor = 3 + _rng.NextDouble() * 7;     // a traffic light
                continue;
            }
            // Random walk around the cruise speed, pulled back towards it.
            _speed += (_cruise - _speed) * 0.2 * dt + Gaussian() * 0.6 * Math.Sqrt(dt);
            _speed = Math.Clamp(_speed, _cruise * 0.4, _cruise * 1.5);
            current = _speed;
            TravelledMeters = Math.Min(Route.LengthMeters, TravelledMeters + _speed * dt);
            remaining -= dt;
        }
        var (point, heading) = Route.At(TravelledMeters);
        var fix = GpsNoiseMeters > 0
            ? Geo.Offset(point, Gaussian() * GpsNoiseMeters, Gaussian() * GpsNoiseMeters)
            : point;
        return new RiderPosition(fix.Lat, fix.Lon, Arrived ? 0 : current, Math.Round(heading, 1), Arrived);
    }

    double Gaussian()
    {
        double u1 = 1 - _rng.NextDouble(), u2 = _rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
