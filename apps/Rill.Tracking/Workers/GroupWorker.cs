using Rill.Client;
using Rill.Tracking.Hosting;
using Rill.Tracking.Positions;

namespace Rill.Tracking.Workers;

/// <summary>
/// One role = one consumer group on rider-updates. Runs the consumer, hands each update to
/// <see cref="HandleAsync"/> in partition order, commits the positions of handled records every
/// <see cref="CommitInterval"/> (auto-commit is off), and starts over after a failure.
/// </summary>
public abstract class GroupWorker(KafkaRuntime kafka, RoleStatus status, ILogger logger) : BackgroundService
{
    protected abstract Roles Role { get; }
    protected abstract string GroupId { get; }
    protected virtual TimeSpan CommitInterval => TimeSpan.FromSeconds(1);

    protected KafkaRuntime Kafka => kafka;
    protected ILogger Logger => logger;

    /// <summary>Runs before the consumer joins (e.g. rebuild state).</summary>
    protected virtual Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected abstract ValueTask HandleAsync(RiderUpdate update, CancellationToken cancellationToken);

    protected Consumer<string, byte[]> CreateConsumer()
    {
        var consumer = new Consumer<string, byte[]>(kafka.GroupConfig(GroupId));
        consumer.PartitionsAssigned = _ => status.MarkRunning(Role);
        consumer.Subscribe(TopicNames.RiderUpdates);
        return consumer;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StartingAsync(stoppingToken);
                await RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "{Group} worker failed; starting over", GroupId);
                try
                {
                    await Task.Delay(1000, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    protected virtual async Task RunAsync(CancellationToken stoppingToken)
    {
        await using var consumer = CreateConsumer();
        long lastCommit = Environment.TickCount64;
        try
        {
            await foreach (var record in consumer.ConsumeAsync(stoppingToken))
            {
                if (record.Value is { } value && TrackingJson.Deserialize<RiderUpdate>(value) is { RiderId: not null } update)
                {
                    await HandleAsync(update, stoppingToken);
                }
                if (Environment.TickCount64 - lastCommit >= CommitInterval.TotalMilliseconds)
                {
                    lastCommit = Environment.TickCount64;
                    await CommitQuietlyAsync(consumer, stoppingToken);
                }
            }
        }
        finally
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await CommitQuietlyAsync(consumer, timeout.Token);
        }
    }

    protected async Task CommitQuietlyAsync(Consumer<string, byte[]> consumer, CancellationToken cancellationToken)
    {
        try
        {
            await consumer.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException or InvalidOperationException)
        {
            logger.LogDebug(e, "{Group}: commit failed (the next one retries)", GroupId);
        }
    }
}
