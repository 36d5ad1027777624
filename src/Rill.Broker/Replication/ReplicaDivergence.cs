using System.Buffers.Binary;
using Rill.Protocol.Records;

namespace Rill.Broker.Replication;

/// <summary>Two small replication decisions found necessary by the partition fault of bench/cluster/jepsen.py.</summary>
internal static class ReplicaDivergence
{
    /// <summary>
    /// A fetch at <paramref name="fetchOffset"/> (the follower's log end) answered with <paramref name="records"/> whose
    /// first batch starts below it and ends at or above it: the follower's tail is not the leader's. Returns the
    /// leader's batch start to truncate to (not below <paramref name="logStart"/>), or null when the answer does not
    /// show a divergence.
    /// </summary>
    public static long? TruncationPoint(ReadOnlySpan<byte> records, long fetchOffset, long logStart)
    {
        if (records.Length < RecordBatchLayout.LastOffsetDelta + 4)
        {
            return null;
        }
        long baseOffset = BinaryPrimitives.ReadInt64BigEndian(records[RecordBatchLayout.BaseOffset..]);
        long lastOffset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(records[RecordBatchLayout.LastOffsetDelta..]);
        return baseOffset < fetchOffset && lastOffset >= fetchOffset && baseOffset >= logStart ? baseOffset : null;
    }

    /// <summary>
    /// The ISR a leader proposes, without brokers that would join it while not registered (the controller would take
    /// them out at once). Members already in the ISR stay (shrinking is decided elsewhere). Null: nothing to change.
    /// </summary>
    public static int[]? RegisteredOnly(int[] proposed, int[] current, int self, IReadOnlySet<int> registered)
    {
        int[] isr = proposed.Where(r => r == self || registered.Contains(r) || Array.IndexOf(current, r) >= 0).ToArray();
        return isr.Order().SequenceEqual(current.Order()) ? null : isr;
    }
}
