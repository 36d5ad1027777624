namespace Rill.Tracking.City;

/// <summary>A restaurant on the map; <see cref="NodeId"/> is the road node it sits on.</summary>
public sealed record Restaurant(string Id, string Name, GeoPoint Location, int NodeId)
{
    public double Lat => Location.Lat;
    public double Lon => Location.Lon;
}

/// <summary>A customer's delivery address; <see cref="NodeId"/> is the road node in front of it.</summary>
public sealed record CustomerAddress(string Id, string Street, GeoPoint Location, int NodeId)
{
    public double Lat => Location.Lat;
    public double Lon => Location.Lon;
}

/// <summary>Size and density of a generated city.</summary>
public sealed record CityOptions
{
    /// <summary>Fixed centre of every generated city (a fictional place; the numbers only need to be plausible).</summary>
    public static readonly GeoPoint DefaultCentre = new(48.1400, 11.5800);

    public GeoPoint Centre { get; init; } = DefaultCentre;
    /// <summary>Width and height of the city in metres.</summary>
    public double SizeMeters { get; init; } = 6_000;
    /// <summary>Distance between neighbouring streets of the grid in metres.</summary>
    public double BlockMeters { get; init; } = 200;
    public int Restaurants { get; init; } = 40;
    public int Addresses { get; init; } = 2_000;
}
