using Rill.Tracking.City;
using CityGeo = Rill.Tracking.City.Geo;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Simulator.Tests;

public class MovementTests
{
    static readonly CityModel City = CityModel.Generate(21);

    Route SomeRoute() => City.RouteBetween(City.Restaurants[3].Location, City.Addresses[17].Location);

    [Fact]
    public void Rider_reaches_the_end_in_about_length_over_speed()
    {
        var route = SomeRoute();
        Assert.True(route.LengthMeters > 500);
        var rider = new RiderMovement(route, cruiseSpeedMps: 6, seed: 1);
        int seconds = 0;
        RiderPosition last = default;
        double travelled = 0;
        while (!rider.Arrived && seconds < 10_000)
        {
            last = rider.Advance(1);
            Assert.True(rider.TravelledMeters >= travelled);
            travelled = rider.TravelledMeters;
            Assert.InRange(last.SpeedMps, 0, 9.01);
            Assert.InRange(last.Heading, 0, 360);
            // The fix is the true position plus a few metres of noise.
            Assert.InRange(CityGeo.DistanceMeters(new(last.Lat, last.Lon), rider.TruePosition), 0, 25);
            seconds++;
        }
        Assert.True(rider.Arrived);
        Assert.True(last.Arrived);
        Assert.Equal(0, rider.RemainingMeters);
        double ideal = route.LengthMeters / 6;
        Assert.InRange(seconds, ideal * 0.8, ideal * 2.0);
        Assert.InRange(CityGeo.DistanceMeters(new(last.Lat, last.Lon), route.End), 0, 25);
    }

    [Fact]
    public void Same_seed_same_fixes()
    {
        var route = SomeRoute();
        var a = new RiderMovement(route, 5, 9);
        var b = new RiderMovement(route, 5, 9);
        var c = new RiderMovement(route, 5, 10);
        var fa = Enumerable.Range(0, 50).Select(_ => a.Advance(1)).ToList();
        var fb = Enumerable.Range(0, 50).Select(_ => b.Advance(1)).ToList();
        var fc = Enumerable.Range(0, 50).Select(_ => c.Advance(1)).ToList();
        Assert.Equal(fa, fb);
        Assert.NotEqual(fa, fc);
    }

    [Fact]
    public void Heading_points_along_the_road_being_ridden()
    {
        var route = new Route([CityGeo.Offset(City.Centre, 0, 0), CityGeo.Offset(City.Centre, 0, 1_000), CityGeo.Offset(City.Centre, 1_000, 1_000)]);
        var rider = new RiderMovement(route, 10, 3, gpsNoiseMeters: 0);
        var first = rider.Advance(1);
        if (first.SpeedMps > 0) Assert.InRange(first.Heading, 0, 0.5);       // north
        while (rider.TravelledMeters < 1_100) rider.Advance(1);
        var later = rider.Advance(0.1);
        Assert.InRange(later.Heading, 89, 91);                                 // east
    }

    [Fact]
    public void Sub_second_steps_cover_the_same_ground_as_one_second_steps_on_average()
    {
        var route = SomeRoute();
        var fine = new RiderMovement(route, 6, 4, gpsNoiseMeters: 0);
        for (int i = 0; i < 600; i++) fine.Advance(0.1);
        Assert.InRange(fine.TravelledMeters, 6 * 60 * 0.5, 6 * 60 * 1.5);
    }

    [Fact]
    public void Long_steps_of_a_sped_up_simulation_still_arrive()
    {
        var route = SomeRoute();
        var rider = new RiderMovement(route, 6, 5);
        int steps = 0;
        while (!rider.Arrived && steps < 1_000) { rider.Advance(100); steps++; }
        Assert.True(rider.Arrived, $"travelled {rider.TravelledMeters:F0} of {route.LengthMeters:F0} m");
        Assert.InRange(steps, route.LengthMeters / 6 / 100 * 0.8, route.LengthMeters / 6 / 100 * 2 + 1);
    }
}
