using System.Text.Json;
using Rill.Tracking.City;
using CityGeo = Rill.Tracking.City.Geo;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Simulator.Tests;

public class CityTests
{
    [Fact]
    public void Same_seed_gives_the_same_city_and_another_seed_another()
    {
        var a = CityModel.Generate(7);
        var b = CityModel.Generate(7);
        var c = CityModel.Generate(8);
        Assert.Equal(a.ToGeoJson(), b.ToGeoJson());
        Assert.Equal(a.Addresses, b.Addresses);
        Assert.NotEqual(a.ToGeoJson(), c.ToGeoJson());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(42)]
    [InlineData(12345)]
    public void Road_graph_is_connected(int seed)
    {
        var city = CityModel.Generate(seed);
        Assert.True(city.Roads.NodeCount > 500);
        Assert.Equal(city.Roads.NodeCount, city.Roads.ReachableFrom(0));
    }

    [Fact]
    public void City_is_a_few_km_across_around_the_fixed_centre_and_has_diagonals()
    {
        var city = CityModel.Generate(3);
        double minLat = city.Roads.Nodes.Min(p => p.Lat), maxLat = city.Roads.Nodes.Max(p => p.Lat);
        double minLon = city.Roads.Nodes.Min(p => p.Lon), maxLon = city.Roads.Nodes.Max(p => p.Lon);
        double northSouth = CityGeo.DistanceMeters(new(minLat, city.Centre.Lon), new(maxLat, city.Centre.Lon));
        double eastWest = CityGeo.DistanceMeters(new(city.Centre.Lat, minLon), new(city.Centre.Lat, maxLon));
        Assert.InRange(northSouth, 5_500, 6_500);
        Assert.InRange(eastWest, 5_500, 6_500);
        Assert.InRange(CityGeo.DistanceMeters(city.Centre, new((minLat + maxLat) / 2, (minLon + maxLon) / 2)), 0, 100);

        // Some edges are diagonal (both coordinates change by a block), most are streets of the grid.
        int diagonal = city.Roads.Edges.Count(e =>
        {
            var (east, north) = CityGeo.ToLocalMeters(city.Roads.Nodes[e.A], city.Roads.Nodes[e.B]);
            return Math.Abs(east) > 100 && Math.Abs(north) > 100;
        });
        Assert.InRange(diagonal, 60, city.Roads.Edges.Count / 5);
    }

    [Fact]
    public void Restaurants_and_addresses_sit_on_road_nodes_with_unique_ids()
    {
        var city = CityModel.Generate(5);
        Assert.Equal(40, city.Restaurants.Count);
        Assert.Equal(2_000, city.Addresses.Count);
        Assert.Equal(city.Restaurants.Count, city.Restaurants.Select(r => r.Id).Distinct().Count());
        Assert.Equal(city.Restaurants.Count, city.Restaurants.Select(r => r.Name).Distinct().Count());
        Assert.Equal(city.Addresses.Count, city.Addresses.Select(r => r.Id).Distinct().Count());
        foreach (var r in city.Restaurants)
        {
            Assert.Equal(city.Roads.Nodes[r.NodeId], r.Location);
            Assert.Equal(r.NodeId, city.NearestNode(r.Lat, r.Lon));
            Assert.Same(r, city.FindRestaurant(r.Id));
        }
        Assert.Null(city.FindRestaurant("nope"));
        Assert.All(city.Addresses, a => Assert.Equal(city.Roads.Nodes[a.NodeId], a.Location));
    }

    [Fact]
    public void Regions_cover_centre_and_four_directions()
    {
        var city = CityModel.Generate(1);
        var c = city.Centre;
        Assert.Equal("center", city.RegionOf(c.Lat, c.Lon));
        Assert.Equal("north", RegionAt(city, 0, 2_500));
        Assert.Equal("south", RegionAt(city, 200, -2_500));
        Assert.Equal("east", RegionAt(city, 2_500, -300));
        Assert.Equal("west", RegionAt(city, -2_500, 300));
        Assert.Equal("center", RegionAt(city, 900, -900));
        Assert.Equal("north", RegionAt(city, 0, 50_000));   // outside the city: the region it points to

        // Every region gets a fair share of the addresses.
        var counts = city.Addresses.GroupBy(a => city.RegionOf(a.Lat, a.Lon)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Regions.All.OrderBy(x => x), counts.Keys.OrderBy(x => x));
        Assert.All(counts.Values, n => Assert.InRange(n, 100, 700));
    }

    static string RegionAt(CityModel city, double east, double north)
    {
        var p = CityGeo.Offset(city.Centre, east, north);
        return city.RegionOf(p.Lat, p.Lon);
    }

    [Fact]
    public void GeoJson_has_every_road_and_restaurant()
    {
        var city = CityModel.Generate(9);
        using var doc = JsonDocument.Parse(city.ToGeoJson());
        Assert.Equal("FeatureCollection", doc.RootElement.GetProperty("type").GetString());
        var features = doc.RootElement.GetProperty("features").EnumerateArray().ToList();
        var roads = features.Where(f => f.GetProperty("properties").GetProperty("kind").GetString() == "road").ToList();
        var restaurants = features.Where(f => f.GetProperty("properties").GetProperty("kind").GetString() == "restaurant").ToList();
        Assert.Equal(city.Roads.Edges.Count, roads.Count);
        Assert.Equal(city.Restaurants.Count, restaurants.Count);
        Assert.All(roads, r =>
        {
            Assert.Equal("LineString", r.GetProperty("geometry").GetProperty("type").GetString());
            Assert.Equal(2, r.GetProperty("geometry").GetProperty("coordinates").GetArrayLength());
        });
        var first = restaurants[0];
        Assert.Equal(city.Restaurants[0].Id, first.GetProperty("properties").GetProperty("id").GetString());
        Assert.Equal(city.Restaurants[0].Name, first.GetProperty("properties").GetProperty("name").GetString());
        var lonLat = first.GetProperty("geometry").GetProperty("coordinates");
        Assert.Equal(city.Restaurants[0].Lon, lonLat[0].GetDouble(), 5);   // GeoJSON order is [lon, lat]
        Assert.Equal(city.Restaurants[0].Lat, lonLat[1].GetDouble(), 5);
    }
}
