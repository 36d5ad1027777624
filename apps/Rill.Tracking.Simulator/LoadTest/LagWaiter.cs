using Rill.Tracking.City;
using Rill.Tracking.Simulator.Api;

namespace Rill.Tracking.Simulator.LoadTest;

/// <summary>Result of waiting for the consumer groups to catch up.</summary>
sealed record LagWait(AppStats? Stats, TimeSpan? Took, int ProbeUpdates);

static class LagWaiter
{
    public static readonly string[] Groups =
        ["tracking-customer", "tracking-restaurant", "tracking-support", "tracking-notifications", "tracking-history"];

    /// <summary>
    /// Polls /api/stats until every group reports lag 0. Lag is end offset minus committed offset, and a group may
    /// commit only when its next record arrives; so if the lag stops moving for 3 s, a probe rider (not one of the
    /// counted riders) sends one update a second to give idle groups a record to commit on. The probes are counted.
    /// </summary>
    public static async Task<LagWait> WaitForZeroLagAsync(AppClient app, TimeSpan timeout, CancellationToken ct, string probeRider = "lag-probe")
    {
        var start = DateTime.UtcNow;
        AppStats? stats = null;
        long lastTotal = -1;
        var lastChange = DateTime.UtcNow;
        RiderSocketClient? probe = null;
        int probes = 0;
        try
        {
            while (DateTime.UtcNow - start < timeout)
            {
                try
                {
                    stats = await app.GetStatsAsync(ct);
                    if (Groups.All(g => stats.Lag.TryGetValue(g, out long lag) && lag == 0)) return new LagWait(stats, DateTime.UtcNow - start, probes);
                    if (stats.TotalLag != lastTotal) { lastTotal = stats.TotalLag; lastChange = DateTime.UtcNow; }
                    if (DateTime.UtcNow - lastChange > TimeSpan.FromSeconds(3))
                    {
                        if (probe is null)
                        {
                            string token = await app.CreateRiderAsync(probeRider, Regions.Center, ct);
                            probe = new RiderSocketClient(probeRider);
                            await probe.ConnectAsync(app.BaseUri, token, ct);
                        }
                        var c = CityOptions.DefaultCentre;
                        await probe.SendAsync(null, c.Lat, c.Lon, 0, 0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ct: ct);
                        probes++;
                    }
                }
                catch (HttpRequestException) { }
                await Task.Delay(1000, ct);
            }
            return new LagWait(stats, null, probes);
        }
        finally
        {
            if (probe is not null) await probe.DisposeAsync();
        }
    }
}
