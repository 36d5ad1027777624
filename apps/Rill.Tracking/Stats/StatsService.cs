using Rill.Client;
using Rill.Tracking.Hosting;
using Rill.Tracking.Streaming;

namespace Rill.Tracking.Stats;

/// <summary>GET /api/stats: ingest rate and acks of this instance, errors, each group's lag (whole group) and records processed (this instance).</summary>
public sealed record StatsSnapshot(double IngestPerSecond, long Acked, IReadOnlyDictionary<string, long> Errors, IReadOnlyDictionary<string, long> Lag,
    IReadOnlyDictionary<string, long> Processed);

/// <summary>
/// Once a second: the ingest rate (acks per second on this instance), the error counters, and each
/// group's lag on rider-updates (end offsets minus committed offsets, summed over partitions) read
/// through the admin API, so it is the lag of the whole group, whichever instance runs it.
/// Publishes `stats` to the support stream.
/// </summary>
public sealed class StatsService(KafkaRuntime kafka, IngestMetrics metrics, RoleStatus status, SseHub hub, ILogger<StatsService> logger) : BackgroundService
{
    private volatile StatsSnapshot _current = new(0, 0, new Dictionary<string, long>(), new Dictionary<string, long>(), new Dictionary<string, long>());

    public StatsSnapshot Current => _current with { Acked = metrics.Acked, Errors = metrics.Errors(), Processed = status.Processed.Snapshot() };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var admin = new AdminClient(kafka.AdminConfig("rill-tracking-stats"));
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        long lastAcked = metrics.Acked;
        long lastTick = Environment.TickCount64;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                long acked = metrics.Acked;
                long tick = Environment.TickCount64;
                double rate = (acked - lastAcked) / Math.Max(0.001, (tick - lastTick) / 1000.0);
                (lastAcked, lastTick) = (acked, tick);
                IReadOnlyDictionary<string, long> lag = _current.Lag;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    timeout.CancelAfter(TimeSpan.FromSeconds(2));
                    lag = await ReadLagAsync(admin, timeout.Token);
                }
                catch (Exception e) when (e is KafkaException or OperationCanceledException or IOException or InvalidOperationException)
                {
                    logger.LogDebug(e, "lag read failed");
                }
                _current = new StatsSnapshot(Math.Round(rate, 1), acked, metrics.Errors(), lag, status.Processed.Snapshot());
                hub.Publish(SseHub.SupportKey, "stats", Current);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<IReadOnlyDictionary<string, long>> ReadLagAsync(AdminClient admin, CancellationToken cancellationToken)
    {
        var described = await admin.DescribeTopicsAsync([TopicNames.RiderUpdates], cancellationToken);
        var partitions = described[0].Partitions.Select(p => new TopicPartition(TopicNames.RiderUpdates, p.Partition)).ToList();
        var ends = await admin.ListOffsetsAsync(partitions.Select(p => (p, Offsets.Latest)), cancellationToken);
        var lag = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string group in GroupIds.All)
        {
            var committed = await admin.ListGroupOffsetsAsync(group, cancellationToken);
            long total = 0;
            foreach (var p in partitions)
            {
                long end = ends.TryGetValue(p, out long e) ? e : 0;
                long at = committed.TryGetValue(p, out long c) && c >= 0 ? c : 0;
                total += Math.Max(0, end - at);
            }
            lag[group] = total;
        }
        return lag;
    }
}
