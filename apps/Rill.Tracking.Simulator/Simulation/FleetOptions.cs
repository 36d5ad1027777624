namespace Rill.Tracking.Simulator.Simulation;

sealed record FleetOptions
{
    public int Seed { get; init; } = 1;
    /// <summary>Position updates per second per rider.</summary>
    public double Rate { get; init; } = 1;
    /// <summary>Simulated seconds per real second (riders ride faster than real time so orders complete).</summary>
    public double TimeScale { get; init; } = 1;
    public double CruiseSpeedMps { get; init; } = 6;
    /// <summary>Stop after this many updates in total across the fleet (0 = no limit).</summary>
    public long MaxUpdates { get; init; }
    /// <summary>Customers watching: at most this many orders at a time have a watching customer.</summary>
    public int MaxWatches { get; init; } = 100;
    /// <summary>Fraction of orders that get a watching customer (until <see cref="MaxWatches"/> is reached).</summary>
    public double WatchFraction { get; init; } = 1;
    /// <summary>Riders connected (rider + first order) in parallel while the fleet starts.</summary>
    public int StartParallelism { get; init; } = 32;
    public string RiderPrefix { get; init; } = "rider";
}
