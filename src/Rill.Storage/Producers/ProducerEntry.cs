using System.Runtime.CompilerServices;

namespace Rill.Storage.Producers;

/// <summary>Sequence range and offsets of one appended batch of an idempotent producer.</summary>
internal readonly record struct BatchMetadata(int FirstSeq, int LastSeq, long FirstOffset, long LastOffset, long Timestamp);

[InlineArray(ProducerEntry.MaxCachedBatches)]
internal struct BatchMetadataRing
{
    private BatchMetadata _element;
}

/// <summary>
/// State of one producer id in one partition: its epoch and its last five batches (the most a producer may have in
/// flight per partition), oldest first in a small ring.
/// </summary>
internal sealed class ProducerEntry
{
    public const int MaxCachedBatches = 5;

    private BatchMetadataRing _batches;
    private int _head;

    public ProducerEntry(long producerId, short epoch)
    {
        ProducerId = producerId;
        Epoch = epoch;
    }

    public long ProducerId { get; }
    public short Epoch { get; private set; }
    public int Count { get; private set; }
    public long LastTimestamp { get; set; } = -1;

    /// <summary>Coordinator epoch of the last transaction marker, -1 when none (an older one is fenced).</summary>
    public int CoordinatorEpoch { get; set; } = -1;

    /// <summary>First offset of the producer's open transaction in this partition, -1 when none.</summary>
    public long CurrentTxnFirstOffset { get; set; } = -1;

    /// <summary>Last offset of the producer's last data batch, -1 when none is known.</summary>
    public long LastDataOffset => Count == 0 ? -1 : this[Count - 1].LastOffset;

    /// <summary>Batch i, 0 being the oldest kept.</summary>
    public BatchMetadata this[int i] => _batches[(_head + i) % MaxCachedBatches];

    /// <summary>Last sequence appended in the current epoch, -1 when none.</summary>
    public int LastSeq => Count == 0 ? -1 : this[Count - 1].LastSeq;

    public bool TryFindDuplicate(short epoch, int firstSeq, int lastSeq, out BatchMetadata duplicate)
    {
        if (epoch == Epoch)
        {
            for (int i = 0; i < Count; i++)
            {
                BatchMetadata m = this[i];
                if (m.FirstSeq == firstSeq && m.LastSeq == lastSeq)
                {
                    duplicate = m;
                    return true;
                }
            }
        }
        duplicate = default;
        return false;
    }

    /// <summary>Moves to <paramref name="epoch"/> (forgetting the batches of the old one) when it differs.</summary>
    public void UpdateEpoch(short epoch)
    {
        if (epoch == Epoch) return;
        Epoch = epoch;
        Count = 0;
        _head = 0;
    }

    public void Add(short epoch, in BatchMetadata batch)
    {
        UpdateEpoch(epoch);
        if (Count == MaxCachedBatches)
        {
            _batches[_head] = batch;
            _head = (_head + 1) % MaxCachedBatches;
        }
        else
        {
            _batches[(_head + Count) % MaxCachedBatches] = batch;
            Count++;
        }
        if (batch.Timestamp > LastTimestamp) LastTimestamp = batch.Timestamp;
    }
}
