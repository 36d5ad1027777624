using Rill.Tracking.Simulator.Api;

namespace Rill.Tracking.Simulator.LoadTest;

static class LagWaiter
{
    public static readonly string[] Groups =
        ["tracking-customer", "tracking-restaurant", "tracking-support", "tracking-notifications", "tracking-history"];

    /// <summary>Polls /api/stats until every group reports lag 0; returns the last stats and how long it took (null on timeout).</summary>
    public static async Task<(AppStats? Stats, TimeSpan? Took)> WaitForZeroLagAsync(AppClient app, TimeSpan timeout, CancellationToken ct)
    {
        var start = DateTime.UtcNow;
        AppStats? stats = null;
        while (DateTime.UtcNow - start < timeout)
        {
            try
            {
                stats = await app.GetStatsAsync(ct);
                if (Groups.All(g => stats.Lag.TryGetValue(g, out long lag) && lag == 0)) return (stats, DateTime.UtcNow - start);
            }
            catch (HttpRequestException) { }
            await Task.Delay(500, ct);
        }
        return (stats, null);
    }
}
