using Rill.Tracking.City;
using CityGeo = Rill.Tracking.City.Geo;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Simulator.Tests;

public class RoutingTests
{
    static readonly CityModel City = CityModel.Generate(11);

    [Fact]
    public void Shortest_path_follows_edges_and_matches_plain_dijkstra()
    {
        var rng = new Random(1);
        for (int i = 0; i < 30; i++)
        {
            int a = rng.Next(City.Roads.NodeCount), b = rng.Next(City.Roads.NodeCount);
            var path = City.Roads.ShortestPath(a, b);
            Assert.NotNull(path);
            Assert.Equal(a, path[0]);
            Assert.Equal(b, path[^1]);
            double length = 0;
            for (int k = 1; k < path.Count; k++)
            {
                Assert.True(City.Roads.HasEdge(path[k - 1], path[k]));
                length += CityGeo.DistanceMeters(City.Roads.Nodes[path[k - 1]], City.Roads.Nodes[path[k]]);
            }
            Assert.Equal(Dijkstra(a)[b], length, 3);
        }
    }

    [Fact]
    public void Road_distance_is_at_least_the_straight_line_and_at_most_a_detour()
    {
        var rng = new Random(2);
        for (int i = 0; i < 50; i++)
        {
            var from = City.Addresses[rng.Next(City.Addresses.Count)].Location;
            var to = City.Restaurants[rng.Next(City.Restaurants.Count)].Location;
            double straight = CityGeo.DistanceMeters(from, to);
            double road = City.RoadDistanceMeters(from.Lat, from.Lon, to.Lat, to.Lon);
            Assert.True(road >= straight - 0.01, $"{road} < {straight}");
            Assert.True(road <= straight * 1.6 + 600, $"{road} vs straight {straight}");
        }
    }

    [Fact]
    public void Route_snaps_off_road_points_and_positions_along_it()
    {
        var start = CityGeo.Offset(City.Centre, 37, -21);            // off the road graph
        var end = CityGeo.Offset(City.Centre, 1_500, 1_200);
        var route = City.RouteBetween(start, end);
        Assert.Equal(start, route.Start);
        Assert.Equal(end, route.End);
        Assert.Equal(City.Roads.Nodes[City.Roads.NearestNode(start)], route.Points[1]);

        Assert.Equal(route.Start, route.At(-5).Point);
        Assert.Equal(route.End, route.At(route.LengthMeters + 5).Point);
        // Moving d metres along the route never moves the point more than d metres, and covers the whole route.
        var previous = route.At(0).Point;
        double sum = 0;
        for (double d = 10; d <= route.LengthMeters; d += 10)
        {
            var (p, heading) = route.At(d);
            Assert.InRange(heading, 0, 360);
            double step = CityGeo.DistanceMeters(previous, p);
            Assert.True(step <= 10.001, $"step {step}");
            sum += step;
            previous = p;
        }
        Assert.InRange(sum, route.LengthMeters - 30, route.LengthMeters);
    }

    [Fact]
    public void Route_to_the_same_node_is_short()
    {
        var p = City.Restaurants[0].Location;
        Assert.Equal(0, City.RoadDistanceMeters(p.Lat, p.Lon, p.Lat, p.Lon), 6);
        Assert.Equal([City.Restaurants[0].NodeId], City.Roads.ShortestPath(City.Restaurants[0].NodeId, City.Restaurants[0].NodeId));
    }

    static double[] Dijkstra(int source)
    {
        var dist = new double[City.Roads.NodeCount];
        Array.Fill(dist, double.PositiveInfinity);
        var done = new bool[dist.Length];
        dist[source] = 0;
        for (int iter = 0; iter < dist.Length; iter++)
        {
            int u = -1;
            for (int i = 0; i < dist.Length; i++)
                if (!done[i] && (u < 0 || dist[i] < dist[u])) u = i;
            done[u] = true;
            foreach (var (to, m) in City.Roads.Neighbours(u))
                dist[to] = Math.Min(dist[to], dist[u] + m);
        }
        return dist;
    }
}
