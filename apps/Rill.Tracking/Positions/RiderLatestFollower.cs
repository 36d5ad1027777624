using System.Collections.Concurrent;
using Rill.Client;
using Rill.Tracking.Hosting;

namespace Rill.Tracking.Positions;

/// <summary>
/// Every rider's latest position, read from the compacted rider-latest topic from the start (no
/// group) and then followed, so a restarted instance (and a page opened right after) sees every
/// rider at once without replaying rider-updates.
/// </summary>
public sealed class RiderLatestFollower(KafkaRuntime kafka, ILogger<RiderLatestFollower> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, RiderUpdate> _latest = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task CaughtUp => _caughtUp.Task;

    public RiderUpdate? Find(string riderId) => _latest.TryGetValue(riderId, out var u) ? u : null;

    public ICollection<RiderUpdate> All => _latest.Values;

    /// <summary>Keeps the newer of what is known and this update (workers feed rider-updates here too).</summary>
    public void Observe(RiderUpdate update) =>
        _latest.AddOrUpdate(update.RiderId, update, (_, old) => update.Ts >= old.Ts ? update : old);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var consumer = new Consumer<string, byte[]>(kafka.ReaderConfig("rill-tracking-latest"));
            var ends = await TopicReader.AssignAllFromStartAsync(consumer, kafka, TopicNames.RiderLatest, stoppingToken);
            if (TopicReader.Reached(consumer, ends))
            {
                _caughtUp.TrySetResult();
            }
            await foreach (var record in consumer.ConsumeAsync(stoppingToken))
            {
                if (record.Value is { } value && TrackingJson.Deserialize<RiderUpdate>(value) is { RiderId: not null } update)
                {
                    Observe(update);
                }
                if (!_caughtUp.Task.IsCompleted && TopicReader.Reached(consumer, ends))
                {
                    _caughtUp.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "rider-latest follower stopped");
        }
    }
}
