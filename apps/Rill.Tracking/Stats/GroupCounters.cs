using System.Collections.Concurrent;

namespace Rill.Tracking.Stats;

/// <summary>
/// Records of rider-updates each consumer group processed on this instance since it started (a replay after a
/// restart or rebalance counts again). Reported by /api/stats as "processed" so a load test can compare them to the acks.
/// </summary>
public sealed class GroupCounters
{
    private readonly ConcurrentDictionary<string, Counter> _processed = new(StringComparer.Ordinal);

    /// <summary>One group's counter; fetch it once and add to it per record (no allocation).</summary>
    public Counter For(string groupId) => _processed.GetOrAdd(groupId, _ => new Counter());

    public IReadOnlyDictionary<string, long> Snapshot() =>
        _processed.ToDictionary(p => p.Key, p => p.Value.Value, StringComparer.Ordinal);

    public sealed class Counter
    {
        private long _value;

        public long Value => Interlocked.Read(ref _value);

        public void Add(long n) => Interlocked.Add(ref _value, n);
    }
}
