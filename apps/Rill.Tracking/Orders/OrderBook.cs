using System.Collections.Concurrent;
using Rill.Client;
using Rill.Tracking.Hosting;
using Rill.Tracking.Positions;

namespace Rill.Tracking.Orders;

/// <summary>
/// Every order, folded from order-events. Each instance reads the whole topic (no group) from the
/// start and keeps following it, so any instance knows orders created on any other; the notifications
/// group rebuilds its "already notified" set from the near events here.
/// Events are applied idempotently (the API applies its own event right after the produce, the
/// follower applies it again when it reads it).
/// </summary>
public sealed class OrderBook(KafkaRuntime kafka, ILogger<OrderBook> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, OrderState> _orders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _activeByRider = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _applyLock = new();

    /// <summary>Raised for each event the first time it is applied (new state), on the applying thread.</summary>
    public event Action<OrderEvent, OrderState>? Changed;

    /// <summary>Completes once the follower has read order-events up to where it ended when the follower started.</summary>
    public Task CaughtUp => _caughtUp.Task;

    public OrderState? Find(string orderId) => _orders.TryGetValue(orderId, out var o) ? o : null;

    public IEnumerable<OrderState> All => _orders.Values;

    /// <summary>The order a rider is delivering now (the last one assigned and not delivered).</summary>
    public OrderState? ActiveOrderOf(string riderId) =>
        _activeByRider.TryGetValue(riderId, out string? id) && Find(id) is { Active: true } o ? o : null;

    public void Apply(OrderEvent e)
    {
        OrderState? state;
        lock (_applyLock)
        {
            state = Find(e.OrderId);
            bool changed;
            switch (e.Type)
            {
                case OrderEvent.Assigned when e.RiderId is not null && e.Restaurant is not null && e.Customer is not null:
                    changed = state is null || state.RiderId != e.RiderId;
                    if (state is null)
                    {
                        state = new OrderState { OrderId = e.OrderId, RiderId = e.RiderId, RestaurantId = e.RestaurantId, Restaurant = e.Restaurant, Customer = e.Customer, AssignedTs = e.Ts };
                        _orders[e.OrderId] = state;
                    }
                    else
                    {
                        state.RiderId = e.RiderId;
                    }
                    if (state.Active)
                    {
                        _activeByRider[e.RiderId] = e.OrderId;
                    }
                    break;
                case OrderEvent.PickedUp when state is not null:
                    changed = state.PickedUpTs is null;
                    state.PickedUpTs ??= e.Ts;
                    break;
                case OrderEvent.Delivered when state is not null:
                    changed = state.DeliveredTs is null;
                    state.DeliveredTs ??= e.Ts;
                    _activeByRider.TryRemove(new KeyValuePair<string, string>(state.RiderId, state.OrderId));
                    break;
                case OrderEvent.Near when state is not null:
                    changed = state.NearTs is null;
                    state.NearTs ??= e.Ts;
                    break;
                default:
                    changed = false;
                    break;
            }
            if (!changed)
            {
                return;
            }
        }
        try
        {
            Changed?.Invoke(e, state!);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "order event handler failed");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await FollowAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "order-events follower stopped");
            _caughtUp.TrySetException(e);
        }
    }

    private async Task FollowAsync(CancellationToken stoppingToken)
    {
        await using var consumer = new Consumer<string, byte[]>(kafka.ReaderConfig("rill-tracking-orders"));
        var ends = await TopicReader.AssignAllFromStartAsync(consumer, kafka, TopicNames.OrderEvents, stoppingToken);
        if (TopicReader.Reached(consumer, ends))
        {
            _caughtUp.TrySetResult();
        }
        await foreach (var record in consumer.ConsumeAsync(stoppingToken))
        {
            if (TrackingJson.Deserialize<OrderEvent>(record.Value) is { } e && e.OrderId is not null && e.Type is not null)
            {
                Apply(e);
            }
            if (!_caughtUp.Task.IsCompleted && TopicReader.Reached(consumer, ends))
            {
                _caughtUp.TrySetResult();
            }
        }
    }
}
