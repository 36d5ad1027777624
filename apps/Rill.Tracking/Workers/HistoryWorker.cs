using System.Collections.Concurrent;
using System.Threading.Channels;
using Rill.Client;
using Rill.Tracking.History;
using Rill.Tracking.Hosting;
using Rill.Tracking.Orders;
using Rill.Tracking.Positions;

namespace Rill.Tracking.Workers;

/// <summary>
/// Group tracking-history: a pump moves records from the consumer into a bounded queue; the writer
/// takes up to <see cref="TrackingOptions.HistoryBatchSize"/> records (or what came within
/// <see cref="TrackingOptions.HistoryBatchDelay"/>), writes them in one transaction and only then
/// commits the offsets after the batch. A crash replays at most the uncommitted batches, and the
/// store's unique key (rider id, ts, seq) makes the replay write nothing new. When an order is delivered,
/// one summary row is written from the order's stored positions (once the batches after the
/// delivery have had time to land).
/// </summary>
public sealed class HistoryWorker(KafkaRuntime kafka, RoleStatus status, OrderBook book, IHistoryStore store, TrackingOptions options,
    ILogger<HistoryWorker> logger) : OrderFollowingWorker(kafka, status, book, logger)
{
    private readonly ConcurrentQueue<(string OrderId, long DueAt)> _summaries = new();
    private long _written;
    private long _batches;

    protected override Roles Role => Roles.History;
    protected override string GroupId => GroupIds.History;

    public long RowsWritten => Interlocked.Read(ref _written);
    public long Batches => Interlocked.Read(ref _batches);

    protected override void OnOrderChanged(OrderEvent e, OrderState order)
    {
        if (e.Type == OrderEvent.Delivered)
        {
            _summaries.Enqueue((order.OrderId, Environment.TickCount64 + (long)options.HistoryBatchDelay.TotalMilliseconds * 3 + 500));
        }
    }

    protected override ValueTask HandleAsync(RiderUpdate update, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The history worker batches in RunAsync.");

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        await using var consumer = CreateConsumer();
        var queue = Channel.CreateBounded<(TopicPartitionOffset Offset, RiderUpdate? Update)>(
            new BoundedChannelOptions(options.HistoryBatchSize * 4) { SingleReader = true, SingleWriter = true });
        using var pumpStop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        Task pump = PumpAsync(consumer, queue.Writer, pumpStop.Token);
        try
        {
            await WriteLoopAsync(consumer, queue.Reader, stoppingToken);
        }
        finally
        {
            await pumpStop.CancelAsync();
            await pump.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static async Task PumpAsync(Consumer<string, byte[]> consumer, ChannelWriter<(TopicPartitionOffset, RiderUpdate?)> queue, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var record in consumer.ConsumeAsync(cancellationToken))
            {
                RiderUpdate? update = record.Value is { } v ? TrackingJson.Deserialize<RiderUpdate>(v) : null;
                await queue.WriteAsync((record.TopicPartitionOffset, update is { RiderId: not null } ? update : null), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            queue.TryComplete();
        }
    }

    private async Task WriteLoopAsync(Consumer<string, byte[]> consumer, ChannelReader<(TopicPartitionOffset Offset, RiderUpdate? Update)> queue,
        CancellationToken stoppingToken)
    {
        var batch = new List<RiderUpdate>(options.HistoryBatchSize);
        var offsets = new Dictionary<TopicPartition, long>();
        var processed = Status.Processed.For(GroupId);
        long read = 0;
        while (true)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                wait.CancelAfter(TimeSpan.FromSeconds(1));
                try
                {
                    if (!await queue.WaitToReadAsync(wait.Token))
                    {
                        return; // the pump stopped
                    }
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    await WriteDueSummariesAsync(stoppingToken);
                    continue;
                }
            }
            long deadline = Environment.TickCount64 + (long)options.HistoryBatchDelay.TotalMilliseconds;
            while (batch.Count < options.HistoryBatchSize)
            {
                if (queue.TryRead(out var item))
                {
                    offsets[item.Offset.TopicPartition] = item.Offset.Offset + 1;
                    read++;
                    if (item.Update is not null)
                    {
                        batch.Add(item.Update);
                    }
                    continue;
                }
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    break;
                }
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(TimeSpan.FromMilliseconds(left));
                try
                {
                    if (!await queue.WaitToReadAsync(wait.Token))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    break;
                }
            }
            await WriteDurablyAsync(batch, stoppingToken);
            processed.Add(read);
            read = 0;
            // only now, with the batch durable, may the group move past it
            try
            {
                await consumer.CommitAsync(offsets.Select(o => new TopicPartitionOffset(o.Key.Topic, o.Key.Partition, o.Value)), stoppingToken);
            }
            catch (KafkaException e)
            {
                Logger.LogDebug(e, "history: commit failed (a replay writes no duplicates)");
            }
            batch.Clear();
            offsets.Clear();
            await WriteDueSummariesAsync(stoppingToken);
        }
    }

    private async Task WriteDurablyAsync(List<RiderUpdate> batch, CancellationToken stoppingToken)
    {
        if (batch.Count == 0)
        {
            return;
        }
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                int inserted = await store.WriteBatchAsync(batch, stoppingToken);
                Interlocked.Add(ref _written, inserted);
                Interlocked.Increment(ref _batches);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Logger.LogWarning(e, "history: writing a batch of {Count} failed (attempt {Attempt}); retrying", batch.Count, attempt + 1);
                await Task.Delay(Math.Min(5000, 200 * (attempt + 1)), stoppingToken);
            }
        }
    }

    private async Task WriteDueSummariesAsync(CancellationToken stoppingToken)
    {
        long now = Environment.TickCount64;
        int count = _summaries.Count;
        for (int i = 0; i < count && _summaries.TryPeek(out var head) && head.DueAt <= now; i++)
        {
            _summaries.TryDequeue(out _);
            if (Book.Find(head.OrderId) is not { DeliveredTs: { } delivered } order)
            {
                continue;
            }
            try
            {
                IReadOnlyList<HistoryRow> route = await store.OrderRouteAsync(order.OrderId, stoppingToken);
                await store.WriteSummaryAsync(OrderSummaries.Compute(order.OrderId, order.RiderId, delivered, route), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Logger.LogWarning(e, "history: summary of order {OrderId} failed", order.OrderId);
            }
        }
    }
}
