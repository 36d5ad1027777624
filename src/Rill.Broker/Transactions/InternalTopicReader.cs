using System.Buffers.Binary;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Records;
using Rill.Storage.Producers;

namespace Rill.Broker.Transactions;

/// <summary>
/// One record of an internal topic read back at load: key and value, and the batch it came in
/// (producer id, transactional bit); for a transaction marker <see cref="Marker"/> is commit (true)
/// or abort (false) and key/value are the marker's.
/// </summary>
internal readonly record struct InternalRecord(long Offset, ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value,
    long ProducerId, bool Transactional, bool? Marker);

/// <summary>Reads every record of an internal topic's partition, oldest first, for replay at start.</summary>
internal static class InternalTopicReader
{
    public static IEnumerable<InternalRecord> Read(Partition partition)
    {
        long offset = partition.LogStartOffset;
        while (offset < partition.HighWatermark)
        {
            var read = partition.Log.Read(offset, 4 * 1024 * 1024, minOneBatch: true);
            if (read.Error != ErrorCode.None || read.Length == 0)
            {
                yield break;
            }
            byte[] chunk = new byte[read.Length];
            read.CopyTo(chunk);
            long next = offset;
            foreach (var (batch, baseOffset, lastOffset) in Batches(chunk))
            {
                next = Math.Max(next, lastOffset + 1);
                ReadOnlySpan<byte> header = batch.Span;
                short attributes = BinaryPrimitives.ReadInt16BigEndian(header[RecordBatchLayout.Attributes..]);
                long producerId = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.ProducerId..]);
                bool transactional = (attributes & RecordBatchLayout.TransactionalFlag) != 0;
                if ((attributes & RecordBatchLayout.ControlFlag) != 0)
                {
                    if (baseOffset >= offset && MarkerKey(batch.Span) is { } commit)
                    {
                        yield return new InternalRecord(baseOffset, null, null, producerId, transactional, commit);
                    }
                    continue;
                }
                foreach (StoredRecord record in RecordEnumerator.ReadAll(batch))
                {
                    if (record.Offset >= offset)
                    {
                        yield return new InternalRecord(record.Offset, record.Key, record.Value, producerId, transactional, null);
                    }
                }
            }
            if (next <= offset)
            {
                yield break;
            }
            offset = next;
        }
    }

    private static IEnumerable<(ReadOnlyMemory<byte> Batch, long BaseOffset, long LastOffset)> Batches(ReadOnlyMemory<byte> chunk)
    {
        int position = 0;
        while (chunk.Length - position >= RecordBatchLayout.HeaderSize)
        {
            ReadOnlySpan<byte> span = chunk.Span[position..];
            int total = BinaryPrimitives.ReadInt32BigEndian(span[RecordBatchLayout.BatchLength..]) + RecordBatchLayout.LogOverhead;
            if (total < RecordBatchLayout.HeaderSize || total > span.Length)
            {
                yield break;
            }
            long baseOffset = BinaryPrimitives.ReadInt64BigEndian(span);
            int lastDelta = BinaryPrimitives.ReadInt32BigEndian(span[RecordBatchLayout.LastOffsetDelta..]);
            yield return (chunk.Slice(position, total), baseOffset, baseOffset + lastDelta);
            position += total;
        }
    }

    /// <summary>The type of the (uncompressed) control batch's first record: commit, abort, or null.</summary>
    private static bool? MarkerKey(ReadOnlySpan<byte> batch)
    {
        ReadOnlySpan<byte> body = batch[RecordBatchLayout.HeaderSize..];
        int p = 0;
        if (!Varint.TryReadVarInt(body, ref p, out _) || p >= body.Length)
        {
            return null;
        }
        p++; // record attributes
        if (!Varint.TryReadVarLong(body, ref p, out _) || !Varint.TryReadVarInt(body, ref p, out _)
            || !Varint.TryReadVarInt(body, ref p, out int keyLength) || keyLength < 0 || keyLength > body.Length - p)
        {
            return null;
        }
        return ControlRecord.ParseMarkerKey(body.Slice(p, keyLength));
    }
}

/// <summary>
/// Applies transaction markers to a replayed record stream: records of transactional batches are
/// held per producer id until that producer's marker (commit: released in the marker's place,
/// abort: dropped); what is still held at the end belongs to open transactions (<see cref="Open"/>).
/// </summary>
internal sealed class TransactionalReplay
{
    private readonly Dictionary<long, List<InternalRecord>> _open = [];

    /// <summary>Records of transactions that had no marker yet when the stream ended.</summary>
    public IReadOnlyDictionary<long, List<InternalRecord>> Open => _open;

    public IEnumerable<InternalRecord> Apply(IEnumerable<InternalRecord> records)
    {
        foreach (InternalRecord record in records)
        {
            if (record.Marker is { } commit)
            {
                if (_open.Remove(record.ProducerId, out var held) && commit)
                {
                    foreach (InternalRecord r in held)
                    {
                        yield return r;
                    }
                }
                continue;
            }
            if (record.Transactional && record.ProducerId >= 0)
            {
                if (!_open.TryGetValue(record.ProducerId, out var list))
                {
                    _open[record.ProducerId] = list = [];
                }
                list.Add(record);
                continue;
            }
            yield return record;
        }
    }
}
