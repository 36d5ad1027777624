using System.Collections.Concurrent;

namespace Rill.Tracking.Stats;

/// <summary>Ingest counters: frames acked, refused frames and closes by reason.</summary>
public sealed class IngestMetrics
{
    private long _acked;
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);

    public long Acked => Interlocked.Read(ref _acked);

    public void CountAck() => Interlocked.Increment(ref _acked);

    public void CountError(string reason) => _errors.AddOrUpdate(reason, 1, (_, n) => n + 1);

    public long ErrorCount(string reason) => _errors.TryGetValue(reason, out long n) ? n : 0;

    public Dictionary<string, long> Errors() => _errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
}
