using System.Collections.Concurrent;
using Rill.Client;
using Rill.Tracking.Hosting;
using Rill.Tracking.Positions;

namespace Rill.Tracking.Workers;

/// <summary>
/// One role = one consumer group on rider-updates. Runs the consumer, hands each update to
/// <see cref="HandleAsync"/> in partition order, commits the offsets of handled records every
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
        // offsets after records whose handling finished: only these are committed
        var handled = new ConcurrentDictionary<TopicPartition, long>();
        // a partition that moved to another member is no longer ours to commit (its new owner
        // starts from the last commit; replays are harmless for every worker)
        Action<IReadOnlyList<TopicPartition>> forget = partitions =>
        {
            foreach (var p in partitions)
            {
                handled.TryRemove(p, out _);
            }
        };
        consumer.PartitionsRevoked = forget;
        consumer.PartitionsLost = forget;
        using var stopCommits = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        Task commits = CommitLoopAsync(consumer, handled, stopCommits.Token);
        try
        {
            await foreach (var record in consumer.ConsumeAsync(stoppingToken))
            {
                if (record.Value is { } value && TrackingJson.Deserialize<RiderUpdate>(value) is { RiderId: not null } update)
                {
                    await HandleAsync(update, stoppingToken);
                }
                handled[new TopicPartition(record.Topic, record.Partition)] = record.Offset + 1;
            }
        }
        finally
        {
            await stopCommits.CancelAsync();
            await commits.ContinueWith(_ => { }, TaskScheduler.Default);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await CommitHandledAsync(consumer, handled, new Dictionary<TopicPartition, long>(), timeout.Token);
        }
    }

    private async Task CommitLoopAsync(Consumer<string, byte[]> consumer, ConcurrentDictionary<TopicPartition, long> handled, CancellationToken cancellationToken)
    {
        var committed = new Dictionary<TopicPartition, long>();
        using var timer = new PeriodicTimer(CommitInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await CommitHandledAsync(consumer, handled, committed, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CommitHandledAsync(Consumer<string, byte[]> consumer, ConcurrentDictionary<TopicPartition, long> handled,
        Dictionary<TopicPartition, long> committed, CancellationToken cancellationToken)
    {
        var due = handled.Where(h => !committed.TryGetValue(h.Key, out long c) || c != h.Value)
            .Select(h => new TopicPartitionOffset(h.Key.Topic, h.Key.Partition, h.Value)).ToList();
        if (due.Count == 0)
        {
            return;
        }
        try
        {
            await consumer.CommitAsync(due, cancellationToken);
            foreach (var o in due)
            {
                committed[o.TopicPartition] = o.Offset;
            }
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException or InvalidOperationException)
        {
            logger.LogDebug(e, "{Group}: commit failed (the next one retries)", GroupId);
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
