namespace Rill.Tracking.City;

/// <summary>
/// A generated city: road graph, restaurants, customer addresses and regions. Immutable after generation and safe to
/// share between threads. <c>City.Generate(seed)</c> gives the same city for the same seed everywhere (app, pages,
/// simulator).
/// </summary>
public sealed class City
{
    internal City(int seed, CityOptions options, RoadGraph roads, IReadOnlyList<Restaurant> restaurants,
        IReadOnlyList<CustomerAddress> addresses)
    {
        Seed = seed;
        Options = options;
        Roads = roads;
        Restaurants = restaurants;
        Addresses = addresses;
    }

    public static City Generate(int seed, CityOptions? options = null) =>
        CityGenerator.Generate(seed, options ?? new CityOptions());

    public int Seed { get; }
    public CityOptions Options { get; }
    public GeoPoint Centre => Options.Centre;
    public RoadGraph Roads { get; }
    public IReadOnlyList<Restaurant> Restaurants { get; }
    public IReadOnlyList<CustomerAddress> Addresses { get; }

    public Restaurant? FindRestaurant(string id)
    {
        foreach (var r in Restaurants) if (r.Id == id) return r;
        return null;
    }

    /// <summary>"north", "south", "east", "west" or "center".</summary>
    public string RegionOf(double lat, double lon) => Regions.Of(Centre, Options.SizeMeters, new GeoPoint(lat, lon));

    public int NearestNode(double lat, double lon) => Roads.NearestNode(new GeoPoint(lat, lon));

    /// <summary>
    /// The route along the roads from one point to another: the start point, the road nodes between the nearest node to
    /// each end, and the end point. Always found: the road graph is connected.
    /// </summary>
    public Route RouteBetween(GeoPoint from, GeoPoint to)
    {
        int a = Roads.NearestNode(from), b = Roads.NearestNode(to);
        var path = Roads.ShortestPath(a, b) ?? throw new InvalidOperationException("The road graph is not connected.");
        var points = new List<GeoPoint>(path.Count + 2);
        if (Geo.DistanceMeters(from, Roads.Nodes[a]) > 0.01) points.Add(from);
        foreach (int node in path) points.Add(Roads.Nodes[node]);
        if (Geo.DistanceMeters(to, Roads.Nodes[b]) > 0.01) points.Add(to);
        return new Route(points);
    }

    /// <summary>Distance in metres along the roads between two points (including the walk to/from the nearest node).</summary>
    public double RoadDistanceMeters(double fromLat, double fromLon, double toLat, double toLon) =>
        RouteBetween(new GeoPoint(fromLat, fromLon), new GeoPoint(toLat, toLon)).LengthMeters;

    /// <summary>The city as a GeoJSON FeatureCollection (roads, restaurants).</summary>
    public string ToGeoJson() => GeoJsonExport.Write(this);
}
