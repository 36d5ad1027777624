namespace Rill.Tracking.City;

/// <summary>A WGS84 position in degrees.</summary>
public readonly record struct GeoPoint(double Lat, double Lon);

/// <summary>Distances and bearings on the sphere; good to a few metres over a city.</summary>
public static class Geo
{
    public const double EarthRadiusMeters = 6_371_000;
    public const double MetersPerDegreeLat = 111_320;

    public static double DistanceMeters(GeoPoint a, GeoPoint b)
    {
        double lat1 = ToRadians(a.Lat), lat2 = ToRadians(b.Lat);
        double dLat = lat2 - lat1, dLon = ToRadians(b.Lon - a.Lon);
        double h = Math.Sin(dLat / 2) * Math.Sin(dLat / 2)
                 + Math.Cos(lat1) * Math.Cos(lat2) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    /// <summary>Initial bearing from a to b in degrees clockwise from north, [0, 360).</summary>
    public static double BearingDegrees(GeoPoint a, GeoPoint b)
    {
        double lat1 = ToRadians(a.Lat), lat2 = ToRadians(b.Lat), dLon = ToRadians(b.Lon - a.Lon);
        double y = Math.Sin(dLon) * Math.Cos(lat2);
        double x = Math.Cos(lat1) * Math.Sin(lat2) - Math.Sin(lat1) * Math.Cos(lat2) * Math.Cos(dLon);
        double deg = Math.Atan2(y, x) * 180 / Math.PI;
        return (deg + 360) % 360;
    }

    /// <summary>Linear interpolation (fine for the short segments of a road graph).</summary>
    public static GeoPoint Lerp(GeoPoint a, GeoPoint b, double t) =>
        new(a.Lat + (b.Lat - a.Lat) * t, a.Lon + (b.Lon - a.Lon) * t);

    /// <summary>The point <paramref name="eastMeters"/>/<paramref name="northMeters"/> away from an origin.</summary>
    public static GeoPoint Offset(GeoPoint origin, double eastMeters, double northMeters) =>
        new(origin.Lat + northMeters / MetersPerDegreeLat,
            origin.Lon + eastMeters / MetersPerDegreeLon(origin.Lat));

    /// <summary>East/north metres of a point relative to an origin (equirectangular; a city is small).</summary>
    public static (double East, double North) ToLocalMeters(GeoPoint origin, GeoPoint p) =>
        ((p.Lon - origin.Lon) * MetersPerDegreeLon(origin.Lat), (p.Lat - origin.Lat) * MetersPerDegreeLat);

    public static double MetersPerDegreeLon(double lat) => MetersPerDegreeLat * Math.Cos(ToRadians(lat));

    static double ToRadians(double deg) => deg * Math.PI / 180;
}
