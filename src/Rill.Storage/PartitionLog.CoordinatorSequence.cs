using Rill.Storage.Internal;

namespace Rill.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// The base sequence the next batch of <paramref name="producerId"/> at <paramref name="epoch"/>
    /// must carry to be in sequence (0 for a new producer or epoch). For brokers-side writers that
    /// append transactional batches for a producer themselves (TxnOffsetCommit into
    /// __consumer_offsets); the caller serialises its own writes of that producer.
    /// </summary>
    public int NextSequence(long producerId, short epoch)
    {
        lock (_lock)
        {
            var entry = _producers.Get(producerId);
            if (entry is null || entry.Epoch != epoch || entry.LastSeq == Batch.NoSequence)
            {
                return 0;
            }
            return entry.LastSeq == int.MaxValue ? 0 : entry.LastSeq + 1;
        }
    }
}
