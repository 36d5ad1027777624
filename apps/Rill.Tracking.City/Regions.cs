namespace Rill.Tracking.City;

/// <summary>
/// The five delivery regions: a central square a third of the city wide, and around it north, south, east and west
/// (whichever axis the point is farther out on). Points outside the city fall in the region they point towards.
/// </summary>
public static class Regions
{
    public const string North = "north", South = "south", East = "east", West = "west", Center = "center";
    public static readonly IReadOnlyList<string> All = [North, South, East, West, Center];

    public static string Of(GeoPoint centre, double sizeMeters, GeoPoint p)
    {
        var (east, north) = Geo.ToLocalMeters(centre, p);
        double half = sizeMeters / 6;
        if (Math.Abs(east) <= half && Math.Abs(north) <= half) return Center;
        if (Math.Abs(north) >= Math.Abs(east)) return north >= 0 ? North : South;
        return east >= 0 ? East : West;
    }
}
