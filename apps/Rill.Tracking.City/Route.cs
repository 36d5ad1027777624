namespace Rill.Tracking.City;

/// <summary>A polyline along the road graph with cumulative distances, so positions can be looked up by distance travelled.</summary>
public sealed class Route
{
    readonly GeoPoint[] _points;
    readonly double[] _cumulative;

    public Route(IReadOnlyList<GeoPoint> points)
    {
        if (points.Count == 0) throw new ArgumentException("A route needs at least one point.", nameof(points));
        _points = [.. points];
        _cumulative = new double[_points.Length];
        for (int i = 1; i < _points.Length; i++)
            _cumulative[i] = _cumulative[i - 1] + Geo.DistanceMeters(_points[i - 1], _points[i]);
    }

    public IReadOnlyList<GeoPoint> Points => _points;
    public double LengthMeters => _cumulative[^1];
    public GeoPoint Start => _points[0];
    public GeoPoint End => _points[^1];

    /// <summary>The position and heading (degrees from north) after travelling <paramref name="meters"/> along the route.</summary>
    public (GeoPoint Point, double Heading) At(double meters)
    {
        if (_points.Length == 1) return (_points[0], 0);
        if (meters <= 0) return (_points[0], Geo.BearingDegrees(_points[0], _points[1]));
        if (meters >= LengthMeters) return (_points[^1], Geo.BearingDegrees(_points[^2], _points[^1]));
        int i = Array.BinarySearch(_cumulative, meters);
        if (i < 0) i = ~i;              // first index with cumulative > meters
        var a = _points[i - 1];
        var b = _points[i];
        double segment = _cumulative[i] - _cumulative[i - 1];
        double t = segment <= 0 ? 0 : (meters - _cumulative[i - 1]) / segment;
        return (Geo.Lerp(a, b, t), Geo.BearingDegrees(a, b));
    }
}
