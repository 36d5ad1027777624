using Rill.Tracking.Positions;

namespace Rill.Tracking.History;

public sealed record HistoryRow(string RiderId, string? OrderId, double Lat, double Lon, long Ts, double? SpeedMps, double? Heading, long? Seq);

public sealed record OrderSummary(string OrderId, string RiderId, double RouteMeters, double DurationSeconds, double AverageSpeedMps, int Points, long DeliveredTs);

/// <summary>
/// Where the history group writes: one row per update, unique on (rider id, ts, seq; -1 stored for no seq), so writing the same
/// update twice (a replay after a crash) adds nothing. Every statement is parameterised.
/// </summary>
public interface IHistoryStore : IAsyncDisposable
{
    string Name { get; }

    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Writes the batch durably in one transaction; returns the rows actually inserted (duplicates skipped).</summary>
    Task<int> WriteBatchAsync(IReadOnlyList<RiderUpdate> batch, CancellationToken cancellationToken);

    Task<IReadOnlyList<HistoryRow>> QueryAsync(string riderId, long fromTs, long toTs, int limit, CancellationToken cancellationToken);

    /// <summary>The positions stored for an order, oldest first.</summary>
    Task<IReadOnlyList<HistoryRow>> OrderRouteAsync(string orderId, CancellationToken cancellationToken);

    /// <summary>Inserts the summary unless the order already has one; true when inserted.</summary>
    Task<bool> WriteSummaryAsync(OrderSummary summary, CancellationToken cancellationToken);

    Task<OrderSummary?> FindSummaryAsync(string orderId, CancellationToken cancellationToken);

    Task<(long Rows, long Summaries)> CountAsync(CancellationToken cancellationToken);
}

public static class OrderSummaries
{
    /// <summary>Route length (sum of the hops), duration (first to last position) and average speed of an order's positions.</summary>
    public static OrderSummary Compute(string orderId, string riderId, long deliveredTs, IReadOnlyList<HistoryRow> route)
    {
        double meters = 0;
        for (int i = 1; i < route.Count; i++)
        {
            meters += Geo.GeoMath.DistanceMeters(route[i - 1].Lat, route[i - 1].Lon, route[i].Lat, route[i].Lon);
        }
        double seconds = route.Count > 1 ? (route[^1].Ts - route[0].Ts) / 1000.0 : 0;
        return new OrderSummary(orderId, riderId, Math.Round(meters, 1), seconds, seconds > 0 ? Math.Round(meters / seconds, 2) : 0, route.Count, deliveredTs);
    }
}
