using System.Buffers.Binary;
using Rill.Protocol;
using Rill.Protocol.Records;
using Rill.Storage.Internal;

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
/// Control batches only move the epoch.
/// </summary>
internal sealed class ProducerStateManager
{
    private const short SnapshotVersion = 1;
    private readonly Dictionary<long, ProducerEntry> _producers = new();

    public int Count => _producers.Count;

    public ProducerEntry? Get(long producerId) => _producers.GetValueOrDefault(producerId);

    public void Clear() => _producers.Clear();

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
        bool hasPending, short pendingEpoch, int pendingLastSeq, out BatchMetadata duplicate, out bool isDuplicate)
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

    /// <summary>Records an appended batch (also used, without checks, when rebuilding from the log).</summary>
    public void Apply(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset,
        long timestamp, bool isControl)
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
    }

    /// <summary>Applies every idempotent batch in a buffer of batches (rebuild path).</summary>
    public void ApplyBatch(ReadOnlySpan<byte> header)
    {
        long pid = Batch.ProducerId(header);
        if (pid < 0) return;
        int baseSeq = Batch.BaseSequence(header);
        int delta = Batch.LastOffsetDelta(header);
        Apply(pid, Batch.ProducerEpoch(header), baseSeq, Batch.LastSequence(baseSeq, delta),
            Batch.BaseOffset(header), Batch.LastOffset(header), Batch.MaxTimestamp(header), Batch.IsControl(header));
    }

    // Snapshot file: int16 version, uint32 CRC32C of what follows, int32 producer count, then per producer
    // int64 id, int16 epoch, int64 last timestamp, int32 n, n x (int32 first seq, int32 last seq,
    // int64 first offset, int64 last offset, int64 timestamp). Big-endian.
    private const int EntryHeaderSize = 8 + 2 + 8 + 4;
    private const int BatchSize = 4 + 4 + 8 + 8 + 8;

    public void WriteSnapshot(string path)
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
            BinaryPrimitives.WriteInt32BigEndian(s[(pos + 18)..], e.Count);
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
        FileIo.WriteAtomically(path, buf);
    }

    /// <summary>Replaces the state with a snapshot file's; false (state cleared) if the file is unreadable or corrupt.</summary>
    public bool TryLoadSnapshot(string path)
    {
        _producers.Clear();
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
        if (s.Length < 10 || BinaryPrimitives.ReadInt16BigEndian(s) != SnapshotVersion
            || BinaryPrimitives.ReadUInt32BigEndian(s[2..]) != Crc32C.Compute(s[6..]))
        {
            return false;
        }
        int count = BinaryPrimitives.ReadInt32BigEndian(s[6..]);
        int pos = 10;
        for (int p = 0; p < count; p++)
        {
            if (pos + EntryHeaderSize > s.Length) { _producers.Clear(); return false; }
            long pid = BinaryPrimitives.ReadInt64BigEndian(s[pos..]);
            short epoch = BinaryPrimitives.ReadInt16BigEndian(s[(pos + 8)..]);
            long lastTs = BinaryPrimitives.ReadInt64BigEndian(s[(pos + 10)..]);
            int n = BinaryPrimitives.ReadInt32BigEndian(s[(pos + 18)..]);
            pos += EntryHeaderSize;
            if (n < 0 || n > ProducerEntry.MaxCachedBatches || pos + n * BatchSize > s.Length) { _producers.Clear(); return false; }
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
            _producers[pid] = entry;
        }
        return true;
    }
}
