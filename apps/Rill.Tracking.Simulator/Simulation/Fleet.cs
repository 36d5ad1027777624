using System.Collections.Concurrent;
using Rill.Tracking.Simulator.Metrics;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Simulator.Simulation;

/// <summary>
/// Many simulated riders in one process (one task and one connection each) and the customers watching a share of
/// their orders. Riders can be added while it runs (the load test ramps up this way).
/// </summary>
sealed class Fleet : IAsyncDisposable
{
    readonly List<(SimulatedRider Rider, Task Run)> _riders = [];
    readonly ConcurrentDictionary<string, (OrderWatch Watch, CancellationTokenSource Stop, Task Task)> _watches = new();
    readonly List<OrderWatch> _finishedWatches = [];
    readonly CancellationTokenSource _stop = new();
    readonly CancellationTokenSource _ridersStop = new();
    long _budgetTaken, _orders, _delivered, _watchStarted, _watchFailures, _riderFailures;
    int _watching;

    public Fleet(ITrackingBackend backend, CityModel city, FleetOptions options)
    {
        Backend = backend;
        City = city;
        Options = options;
    }

    public ITrackingBackend Backend { get; }
    public CityModel City { get; }
    public FleetOptions Options { get; }
    public LatencyHistogram PushLatency { get; } = new();
    /// <summary>Push latency since the last <see cref="LatencyHistogram.Clear"/> (the load test samples it per second).</summary>
    public LatencyHistogram PushLatencyInterval { get; } = new();
    public int RiderCount { get { lock (_riders) return _riders.Count; } }
    public long Orders => Interlocked.Read(ref _orders);
    public long Delivered => Interlocked.Read(ref _delivered);
    public long WatchFailures => Interlocked.Read(ref _watchFailures);
    public long RiderFailures => Interlocked.Read(ref _riderFailures);
    public int Watching => Volatile.Read(ref _watching);
    public string? LastError { get; private set; }

    public bool BudgetExhausted => Options.MaxUpdates > 0 && Interlocked.Read(ref _budgetTaken) >= Options.MaxUpdates;

    /// <summary>Takes one update from the fleet's budget; false when the budget is used up.</summary>
    public bool TakeBudget() => Options.MaxUpdates <= 0 || Interlocked.Increment(ref _budgetTaken) <= Options.MaxUpdates;

    IEnumerable<IRiderLink> Links()
    {
        lock (_riders) return [.. _riders.Select(r => r.Rider.Link).OfType<IRiderLink>()];
    }

    public long Sent => Links().Sum(l => l.Sent);
    public long Acked => Links().Sum(l => l.Acked);
    public long Errors => Links().Sum(l => l.Errors);
    public long Unacked => Links().Sum(l => l.Unacked);
    public int ClosedLinks => Links().Count(l => l.Closed is not null);
    public long LateRestarts { get { lock (_riders) return _riders.Sum(r => r.Rider.LateRestarts); } }
    public IReadOnlyList<string> RiderIds { get { lock (_riders) return [.. _riders.Select(r => r.Rider.RiderId)]; } }
    public IReadOnlyList<(string RiderId, IRiderLink Link)> RiderLinks
    {
        get { lock (_riders) return [.. _riders.Where(r => r.Rider.Link is not null).Select(r => (r.Rider.RiderId, r.Rider.Link!))]; }
    }

    /// <summary>Every watch so far (finished and running).</summary>
    public IReadOnlyList<OrderWatch> AllWatches
    {
        get { lock (_finishedWatches) return [.. _finishedWatches, .. _watches.Values.Select(w => w.Watch)]; }
    }

    /// <summary>Connects <paramref name="count"/> more riders (in parallel batches) and starts them.</summary>
    public async Task AddRidersAsync(int count, CancellationToken ct)
    {
        int first;
        lock (_riders) first = _riders.Count;
        var created = new SimulatedRider[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = Options.StartParallelism, CancellationToken = ct },
            async (i, token) =>
            {
                int n = first + i;
                var rider = new SimulatedRider(this, $"{Options.RiderPrefix}-{n + 1:D5}", HashCode.Combine(Options.Seed, n));
                await rider.ConnectAsync(token);
                created[i] = rider;
            });
        lock (_riders)
            foreach (var rider in created)
                _riders.Add((rider, Task.Run(() => RunRiderAsync(rider), CancellationToken.None)));
    }

    async Task RunRiderAsync(SimulatedRider rider)
    {
        try { await rider.RunAsync(_ridersStop.Token); }
        catch (Exception e) when (!_ridersStop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _riderFailures);
            LastError = $"{rider.RiderId}: {e.GetType().Name}: {e.Message}";
        }
        catch (Exception) { }
    }

    /// <summary>Completes when every rider has stopped on its own (budget used up).</summary>
    public Task RidersFinished()
    {
        lock (_riders) return Task.WhenAll(_riders.Select(r => r.Run));
    }

    internal void OrderCreated(string orderId, string riderId, string customerToken, string restaurantId)
    {
        long n = Interlocked.Increment(ref _orders);
        if (Volatile.Read(ref _watching) >= Options.MaxWatches) return;
        if (Options.WatchFraction < 1 && (n * Options.WatchFraction) % 1 >= Options.WatchFraction) return;
        Interlocked.Increment(ref _watching);
        var watch = new OrderWatch(orderId, riderId, customerToken, restaurantId, RecordPush);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var task = Task.Run(async () =>
        {
            Interlocked.Increment(ref _watchStarted);
            try { await Backend.WatchOrderAsync(watch, stop.Token); }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _watchFailures);
                LastError = $"watch {orderId}: {e.GetType().Name}: {e.Message}";
            }
            catch (Exception) { }
        }, CancellationToken.None);
        _watches[orderId] = (watch, stop, task);
    }

    volatile LatencyHistogram[] _listeners = [];

    void RecordPush(double ms)
    {
        PushLatency.Record(ms);
        PushLatencyInterval.Record(ms);
        foreach (var l in _listeners) l.Record(ms);
    }

    /// <summary>Also records push latencies into <paramref name="window"/> until the result is disposed.</summary>
    public IDisposable AddLatencyListener(LatencyHistogram window)
    {
        lock (_riders) _listeners = [.. _listeners, window];
        return new Unsubscribe(() => { lock (_riders) _listeners = [.. _listeners.Where(l => l != window)]; });
    }

    sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    internal OrderWatch? WatchOf(string orderId) => _watches.TryGetValue(orderId, out var w) ? w.Watch : null;

    internal void OrderDelivered() => Interlocked.Increment(ref _delivered);

    /// <summary>The rider is done with the order: its customer keeps watching a moment (the delivered event) and leaves.</summary>
    internal void OrderEnded(string orderId)
    {
        if (!_watches.TryGetValue(orderId, out var w)) return;
        _ = Task.Run(async () =>
        {
            await WaitDeliveredAsync(w.Watch, TimeSpan.FromSeconds(15));
            w.Stop.Cancel();
            await w.Task;
            if (_watches.TryRemove(orderId, out _))
            {
                lock (_finishedWatches) _finishedWatches.Add(w.Watch);
                Interlocked.Decrement(ref _watching);
            }
            w.Stop.Dispose();
        });
    }

    static async Task WaitDeliveredAsync(OrderWatch watch, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until && watch.Pending > 0) await Task.Delay(50);
        until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (DateTime.UtcNow < until && watch.DeliveredEvents == 0) await Task.Delay(50);
    }

    /// <summary>Stops every rider, waits (bounded) for outstanding acks, then stops the customers.</summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        _ridersStop.Cancel();
        await RidersFinished();
        await Task.WhenAll(Links().Select(l => l.DrainAsync(drainTimeout)));
        // Customers get a moment to receive the last positions before they hang up.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(Math.Min(5, drainTimeout.TotalSeconds));
        while (DateTime.UtcNow < until && _watches.Values.Any(w => w.Watch.Pending > 0)) await Task.Delay(50);
        _stop.Cancel();
        await Task.WhenAll(_watches.Values.Select(w => w.Task));
    }

    public async ValueTask DisposeAsync()
    {
        _ridersStop.Cancel();
        _stop.Cancel();
        foreach (var link in Links()) await link.DisposeAsync();
        _stop.Dispose();
        _ridersStop.Dispose();
    }
}
