namespace Rill.Tracking.Simulator.Simulation;

/// <summary>
/// A customer watching one order. The rider reports each fix it sends for the order (once the watch is armed); the
/// customer reports each position it receives. A sent fix counts as delivered when the customer first receives it or
/// a newer one (a poller only ever sees the newest), and its push latency is receive time minus the fix's send time.
/// </summary>
sealed class OrderWatch(string orderId, string riderId, string customerToken, string restaurantId, Action<double> recordLatency)
{
    readonly Queue<long> _pending = new();
    readonly HashSet<long> _unseen = [];
    long _lastSeenTs = long.MinValue;

    public string OrderId { get; } = orderId;
    public string RiderId { get; } = riderId;
    public string CustomerToken { get; } = customerToken;
    public string RestaurantId { get; } = restaurantId;
    public volatile bool Armed;
    public long SentWhileArmed { get; private set; }
    public long Received { get; private set; }
    public long Delivered { get; private set; }
    /// <summary>Positions sent while armed that arrived themselves (not just superseded by a newer one).</summary>
    public long ExactlyReceived { get; private set; }
    public long Duplicates { get; private set; }
    public long SnapshotOverlaps { get; private set; }
    public string? FirstDuplicate { get; private set; }
    public int NearEvents;
    public int DeliveredEvents;

    public void OnSent(long tsMs)
    {
        if (!Armed) return;
        lock (_pending)
        {
            _pending.Enqueue(tsMs);
            _unseen.Add(tsMs);
            SentWhileArmed++;
        }
    }

    public void OnReceived(long tsMs, long nowMs)
    {
        lock (_pending)
        {
            Received++;
            if (_unseen.Remove(tsMs)) ExactlyReceived++;
            // The stream opens with the rider's last known position; the same position may also arrive live if it
            // was produced while the customer subscribed. That overlap is counted apart from real duplicates.
            if (tsMs == _lastSeenTs)
            {
                if (Received == 2) SnapshotOverlaps++;
                else
                {
                    Duplicates++;
                    FirstDuplicate ??= $"order {OrderId}: event #{Received} repeats ts {tsMs} ({nowMs - tsMs} ms after it was sent)";
                }
            }
            if (tsMs > _lastSeenTs) _lastSeenTs = tsMs;
            while (_pending.Count > 0 && _pending.Peek() <= tsMs)
            {
                double ms = nowMs - _pending.Dequeue();
                recordLatency(ms);
                Delivered++;
            }
        }
    }

    public int Pending { get { lock (_pending) return _pending.Count; } }
}
