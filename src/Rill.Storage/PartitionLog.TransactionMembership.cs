using Rill.Storage.Producers;

namespace Rill.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// True when the producer has a transaction open in this partition at this epoch (its data appended, no marker
    /// yet): the partition is already part of that transaction, so a further transactional write of it needs no
    /// check with a (remote) transaction coordinator. O(1), no allocation.
    /// </summary>
    public bool HasOpenTransaction(long producerId, short producerEpoch)
    {
        lock (_lock)
        {
            return _producers.Get(producerId) is ProducerEntry { CurrentTxnFirstOffset: >= 0 } entry && entry.Epoch == producerEpoch;
        }
    }
}
