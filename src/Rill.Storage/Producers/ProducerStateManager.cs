using System.Buffers.Binary;
using Rill.Protocol;
using Rill.Protocol.Records;
using Rill.Storage.Internal;
using Rill.Storage.Segments;

namespace Rill.Storage.Producers;

/// <summary>
/// Idempotent producer state of one partition, checked and updated under the partition log's lock so that it is
/// atomic with the append. The rules are Kafka's (ProducerAppendInfo, 2.5+ with KIP-360):
/// <list type="bullet">
/// <item>an epoch older than the known one: INVALID_PRODUCER_EPOCH;</item>
/// <item>same epoch and the same (first, last) sequence as one of the last five batches: a duplicate, answered with
/// the original offsets;</item>
/// <item>a new epoch must start at sequence 0, unless the producer is unknown here;</item>
/// <item>same epoch: the first sequence must follow the last one (wrapping from int32 max to 0), unless the
/// producer is unknown here (its state may have gone with retention or DeleteRecords): then any sequence is
/// accepted;</item>
/// <item>anything else: OUT_OF_ORDER_SEQUENCE_NUMBER.</item>
/// </list>
/// Transactions (as Kafka's ProducerAppendInfo): a transactional data batch opens the producer's transaction at its
/// first offset; a non-transactional batch while one is open is INVALID_TXN_STATE; a marker (control batch) closes
/// it, and is refused with INVALID_PRODUCER_EPOCH when its producer epoch is older than the producer's, with
/// TRANSACTION_COORDINATOR_FENCED when its coordinator epoch is older than the last marker's. The open transactions
/// give the partition's last stable offset (<see cref="Ongoing"/>).
/// </summary>
internal sealed class ProducerStateManager
{
    private const short SnapshotVersionV1 = 1;
    private const short SnapshotVersion = 2;
    private readonly Dictionary<long, ProducerEntry> _producers = new();

    public int Count => _producers.Count;

    /// <summary>The open transactions (first offset per producer), from which the last stable offset follows.</summary>
    public OngoingTransactions Ongoing { get; private set; } = new();

    public ProducerEntry? Get(long producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>Every producer's state (DescribeProducers).</summary>
    public IEnumerable<ProducerEntry> Entries => _producers.Values;

    public void Clear()
    {
        _producers.Clear();
        Ongoing = new OngoingTransactions();
    }

    /// <summary>
    /// The log start offset moved to <paramref name="logStartOffset"/> (retention, DeleteRecords): an open
    /// transaction whose data is all below it can no longer be read or aborted usefully, so it stops holding the
    /// last stable offset back (Kafka evicts such producers). Returns how many transactions were dropped.
    /// </summary>
    public int OnLogStartOffsetIncremented(long logStartOffset)
    {
        int dropped = 0;
        foreach (ProducerEntry e in _producers.Values)
        {
            if (e.CurrentTxnFirstOffset >= 0 && e.CurrentTxnFirstOffset < logStartOffset && e.LastDataOffset < logStartOffset)
            {
                Ongoing.Remove(e.ProducerId);
                e.CurrentTxnFirstOffset = -1;
                dropped++;
            }
        }
        return dropped;
    }

    /// <summary>
    /// producer.id.expiration.ms (KIP-854): forgets the producers whose last write (batch max timestamp) is at least
    /// <paramref name="expirationMs"/> before <paramref name="nowMs"/> and that have no open transaction here, as
    /// Kafka's ProducerStateManager does. Returns how many were removed.
    /// </summary>
    public int RemoveExpired(long nowMs, long expirationMs)
    {
        List<long>? expired = null;
        foreach (ProducerEntry e in _producers.Values)
        {
            if (e.CurrentTxnFirstOffset < 0 && nowMs - e.LastTimestamp >= expirationMs)
            {
                (expired ??= []).Add(e.ProducerId);
            }
        }
        foreach (long pid in expired ?? [])
        {
            _producers.Remove(pid);
        }
        return expired?.Count ?? 0;
    }

    /// <summary>
    /// Checks a transaction marker of <paramref name="producerId"/>: an older producer epoch is INVALID_PRODUCER_EPOCH,
    /// an older coordinator epoch TRANSACTION_COORDINATOR_FENCED. A marker for an unknown producer is accepted.
    /// </summary>
    public ErrorCode CheckMarker(long producerId, short epoch, int coordinatorEpoch)
    {
        ProducerEntry? entry = Get(producerId);
        if (entry is null) return ErrorCode.None;
        if (epoch < entry.Epoch) return ErrorCode.InvalidProducerEpoch;
        if (coordinatorEpoch < entry.CoordinatorEpoch) return ErrorCode.TransactionCoordinatorFenced;
        return ErrorCode.None;
    }

    /// <summary>Each producer's last batch offset (the cleaner keeps that batch's header even when it empties it).</summary>
    public Dictionary<long, long> LastOffsets()
    {
        var result = new Dictionary<long, long>(_producers.Count);
        foreach (ProducerEntry entry in _producers.Values)
        {
            if (entry.Count > 0) result[entry.ProducerId] = entry[entry.Count - 1].LastOffset;
        }
        return result;
    }

    /// <summary>
    /// Checks one batch. <paramref name="hasPending"/> says an earlier batch of the same producer sits in the same
    /// append (its epoch and last sequence are then what this batch must follow).
    /// </summary>
    public ErrorCode Check(long producerId, short epoch, int firstSeq, int lastSeq,
        bool hasPending, short pendingEpoch, int pendingLastSeq, out BatchMetadata duplicate, out bool isDuplicate,
        bool isTransactional = false)
    {
        isDuplicate = false;
        duplicate = default;
        ProducerEntry? entry = Get(producerId);
        short currentEpoch = entry?.Epoch ?? Batch.NoProducerEpoch;
        short updatedEpoch = hasPending ? pendingEpoch : currentEpoch;

        if (entry is not null && entry.TryFindDuplicate(epoch, firstSeq, lastSeq, out duplicate))
        {
            isDuplicate = true;
            return ErrorCode.None;
        }
        if (epoch < updatedEpoch) return ErrorCode.InvalidProducerEpoch;
        // A plain idempotent write in the middle of the producer's open transaction (Kafka: INVALID_TXN_STATE).
        if (!isTransactional && entry is not null && entry.CurrentTxnFirstOffset >= 0) return ErrorCode.InvalidTxnState;

        if (epoch != updatedEpoch)
        {
            if (firstSeq != 0 && updatedEpoch != Batch.NoProducerEpoch) return ErrorCode.OutOfOrderSequenceNumber;
            return ErrorCode.None;
        }

        int currentLastSeq = hasPending ? pendingLastSeq
            : entry is not null && epoch == entry.Epoch ? entry.LastSeq
            : Batch.NoSequence;
        if (currentEpoch == Batch.NoProducerEpoch || InSequence(currentLastSeq, firstSeq)) return ErrorCode.None;
        return ErrorCode.OutOfOrderSequenceNumber;
    }

    private static bool InSequence(int lastSeq, int nextSeq)
        => nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == int.MaxValue);

    /// <summary>Records an appended data batch (also used, without checks, when rebuilding from the log).</summary>
    public void Apply(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset,
        long timestamp, bool isControl, bool isTransactional = false)
    {
        if (!_producers.TryGetValue(producerId, out ProducerEntry? entry))
        {
            entry = new ProducerEntry(producerId, epoch);
            _producers.Add(producerId, entry);
        }
        if (isControl)
        {
            entry.UpdateEpoch(epoch);
            if (timestamp > entry.LastTimestamp) entry.LastTimestamp = timestamp;
            return;
        }
        entry.Add(epoch, new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset, timestamp));
        if (isTransactional && entry.CurrentTxnFirstOffset < 0)
        {
            entry.CurrentTxnFirstOffset = firstOffset;
            Ongoing.OnTransactionalData(producerId, firstOffset);
        }
    }

    /// <summary>
    /// Applies one appended batch (append and rebuild paths). A control batch must be passed whole: its marker closes
    /// the producer's open transaction, and an abort of a transaction with data returns the .txnindex entry.
    /// </summary>
    public AbortedTxn? ApplyBatch(ReadOnlySpan<byte> batch)
    {
        long pid = Batch.ProducerId(batch);
        if (pid < 0) return null;
        int baseSeq = Batch.BaseSequence(batch);
        int delta = Batch.LastOffsetDelta(batch);
        bool control = Batch.IsControl(batch);
        Apply(pid, Batch.ProducerEpoch(batch), baseSeq, Batch.LastSequence(baseSeq, delta),
            Batch.BaseOffset(batch), Batch.LastOffset(batch), Batch.MaxTimestamp(batch), control, Batch.IsTransactional(batch));
        if (!control || !Batch.TryReadMarker(batch, out bool commit, out int coordinatorEpoch)) return null;

        ProducerEntry entry = _producers[pid];
        if (coordinatorEpoch > entry.CoordinatorEpoch) entry.CoordinatorEpoch = coordinatorEpoch;
        entry.CurrentTxnFirstOffset = -1;
        long markerOffset = Batch.BaseOffset(batch);
        return Ongoing.OnMarker(pid, markerOffset, commit, markerOffset + 1);
    }

    // Snapshot file: int16 version, uint32 CRC32C of what follows, int32 producer count, then per producer
    // int64 id, int16 epoch, int64 last timestamp, [v2: int32 coordinator epoch, int64 open transaction's first
    // offset or -1], int32 n, n x (int32 first seq, int32 last seq, int64 first offset, int64 last offset,
    // int64 timestamp). Big-endian. Version 1 files (no transaction fields) still load.
    private const int EntryHeaderSizeV1 = 8 + 2 + 8 + 4;
    private const int EntryHeaderSize = 8 + 2 + 8 + 4 + 12;
    private const int BatchSize = 4 + 4 + 8 + 8 + 8;

    public void WriteSnapshot(string path) => FileIo.WriteAtomically(path, SerializeSnapshot());

    /// <summary>The snapshot file's bytes for the current state (written later, outside the log's lock, after a roll).</summary>
    public byte[] SerializeSnapshot()
    {
        int size = 2 + 4 + 4;
        foreach (ProducerEntry e in _producers.Values) size += EntryHeaderSize + e.Count * BatchSize;
        byte[] buf = new byte[size];
        Span<byte> s = buf;
        BinaryPrimitives.WriteInt16BigEndian(s, SnapshotVersion);
        BinaryPrimitives.WriteInt32BigEndian(s[6..], _producers.Count);
        int pos = 10;
        foreach (ProducerEntry e in _producers.Values)
        {
            BinaryPrimitives.WriteInt64BigEndian(s[pos..], e.ProducerId);
            BinaryPrimitives.WriteInt16BigEndian(s[(pos + 8)..], e.Epoch);
            BinaryPrimitives.WriteInt64BigEndian(s[(pos + 10)..], e.LastTimestamp);
            BinaryPrimitives.WriteInt32BigEndian(s[(pos + 18)..], e.CoordinatorEpoch);
            BinaryPrimitives.WriteInt64BigEndian(s[(pos + 22)..], e.CurrentTxnFirstOffset);
            BinaryPrimitives.WriteInt32BigEndian(s[(pos + 30)..], e.Count);
            pos += EntryHeaderSize;
            for (int i = 0; i < e.Count; i++)
            {
                BatchMetadata m = e[i];
                BinaryPrimitives.WriteInt32BigEndian(s[pos..], m.FirstSeq);
                BinaryPrimitives.WriteInt32BigEndian(s[(pos + 4)..], m.LastSeq);
                BinaryPrimitives.WriteInt64BigEndian(s[(pos + 8)..], m.FirstOffset);
                BinaryPrimitives.WriteInt64BigEndian(s[(pos + 16)..], m.LastOffset);
                BinaryPrimitives.WriteInt64BigEndian(s[(pos + 24)..], m.Timestamp);
                pos += BatchSize;
            }
        }
        BinaryPrimitives.WriteUInt32BigEndian(s[2..], Crc32C.Compute(s[6..]));
        return buf;
    }

    /// <summary>Replaces the state with a snapshot file's; false (state cleared) if the file is unreadable or corrupt.</summary>
    public bool TryLoadSnapshot(string path)
    {
        Clear();
        byte[] buf;
        try
        {
            buf = File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return false;
        }
        ReadOnlySpan<byte> s = buf;
        short version = s.Length < 10 ? (short)0 : BinaryPrimitives.ReadInt16BigEndian(s);
        if ((version != SnapshotVersion && version != SnapshotVersionV1)
            || BinaryPrimitives.ReadUInt32BigEndian(s[2..]) != Crc32C.Compute(s[6..]))
        {
            return false;
        }
        int headerSize = version == SnapshotVersion ? EntryHeaderSize : EntryHeaderSizeV1;
        int count = BinaryPrimitives.ReadInt32BigEndian(s[6..]);
        int pos = 10;
        for (int p = 0; p < count; p++)
        {
            if (pos + headerSize > s.Length) { Clear(); return false; }
            long pid = BinaryPrimitives.ReadInt64BigEndian(s[pos..]);
            short epoch = BinaryPrimitives.ReadInt16BigEndian(s[(pos + 8)..]);
            long lastTs = BinaryPrimitives.ReadInt64BigEndian(s[(pos + 10)..]);
            int coordinatorEpoch = -1;
            long txnFirstOffset = -1;
            if (version == SnapshotVersion)
            {
                coordinatorEpoch = BinaryPrimitives.ReadInt32BigEndian(s[(pos + 18)..]);
                txnFirstOffset = BinaryPrimitives.ReadInt64BigEndian(s[(pos + 22)..]);
            }
            int n = BinaryPrimitives.ReadInt32BigEndian(s[(pos + headerSize - 4)..]);
            pos += headerSize;
            if (n < 0 || n > ProducerEntry.MaxCachedBatches || pos + n * BatchSize > s.Length) { Clear(); return false; }
            var entry = new ProducerEntry(pid, epoch);
            for (int i = 0; i < n; i++)
            {
                entry.Add(epoch, new BatchMetadata(
                    BinaryPrimitives.ReadInt32BigEndian(s[pos..]),
                    BinaryPrimitives.ReadInt32BigEndian(s[(pos + 4)..]),
                    BinaryPrimitives.ReadInt64BigEndian(s[(pos + 8)..]),
                    BinaryPrimitives.ReadInt64BigEndian(s[(pos + 16)..]),
                    BinaryPrimitives.ReadInt64BigEndian(s[(pos + 24)..])));
                pos += BatchSize;
            }
            entry.LastTimestamp = lastTs;
            entry.CoordinatorEpoch = coordinatorEpoch;
            entry.CurrentTxnFirstOffset = txnFirstOffset;
            if (txnFirstOffset >= 0) Ongoing.OnTransactionalData(pid, txnFirstOffset);
            _producers[pid] = entry;
        }
        return true;
    }
}
