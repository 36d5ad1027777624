using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Geo;

/// <summary>The generated city (Rill.Tracking.City) the app serves and measures road distances on.</summary>
public sealed class CityMap
{
    private readonly Lazy<string> _geoJson;

    public CityMap(int seed)
    {
        City = CityModel.Generate(seed);
        _geoJson = new Lazy<string>(City.ToGeoJson);
    }

    public CityModel City { get; }

    public string GeoJson => _geoJson.Value;

    public IEnumerable<object> Restaurants => City.Restaurants.Select(r => new { id = r.Id, name = r.Name, lat = r.Lat, lon = r.Lon });

    public string RegionOf(double lat, double lon) => City.RegionOf(lat, lon);

    public double RoadDistanceMeters(double fromLat, double fromLon, double toLat, double toLon) =>
        City.RoadDistanceMeters(fromLat, fromLon, toLat, toLon);
}
