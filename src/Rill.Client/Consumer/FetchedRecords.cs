using System.Buffers;
using System.Buffers.Binary;
using Rill.Protocol;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Client.Consuming;

/// <summary>One record as parsed from a batch: slices of the fetch response (or of the decompressed batch).</summary>
internal struct RecordView
{
    public long Offset;
    public long Timestamp;
    public ReadOnlyMemory<byte>? Key;
    public ReadOnlyMemory<byte>? Value;
    public ReadOnlyMemory<byte> Headers;
    public int HeaderCount;
}

/// <summary>
/// The records a fetch returned for one partition, walked batch by batch with spans: only a
/// compressed batch allocates (its decompressed body). Control batches (transaction markers) are
/// skipped. With read_committed, <paramref name="aborted"/> is the fetch response's aborted
/// transactions (producer id, first offset): a transactional batch of a producer whose aborted
/// transaction began at or before it is skipped until that producer's abort marker, as Kafka's
/// consumers do.
/// </summary>
internal sealed class FetchedRecords(PartitionState state, int epoch, ReadOnlyMemory<byte> data,
    (long ProducerId, long FirstOffset)[]? aborted = null)
{
    private int _position;
    private int _abortedIndex;
    private HashSet<long>? _abortedProducers;
    private ReadOnlyMemory<byte> _body;
    private int _bodyPosition;
    private int _remaining;
    private long _baseOffset;
    private long _baseTimestamp;
    private bool _logAppendTime;
    private long _maxTimestamp;

    public PartitionState State { get; } = state;
    public int Epoch { get; } = epoch;

    /// <summary>The offset after the last batch walked so far, skipped ones included (-1 before the first).</summary>
    public long NextOffset { get; private set; } = -1;

    /// <summary>Offset after the last complete batch in <paramref name="data"/> (or -1 when there is none).</summary>
    public static long NextOffsetAfter(ReadOnlySpan<byte> data)
    {
        long next = -1;
        int p = 0;
        while (data.Length - p >= RecordBatchLayout.HeaderSize)
        {
            int total = BinaryPrimitives.ReadInt32BigEndian(data[(p + RecordBatchLayout.BatchLength)..]) + RecordBatchLayout.LogOverhead;
            if (total > data.Length - p || total < RecordBatchLayout.HeaderSize)
            {
                break;
            }
            long baseOffset = BinaryPrimitives.ReadInt64BigEndian(data[p..]);
            int lastDelta = BinaryPrimitives.ReadInt32BigEndian(data[(p + RecordBatchLayout.LastOffsetDelta)..]);
            next = baseOffset + lastDelta + 1;
            p += total;
        }
        return next;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool TryNext(out RecordView record)
    {
        while (_remaining == 0)
        {
            if (!NextBatch())
            {
                record = default;
                return false;
            }
        }
        _remaining--;
        ReadOnlySpan<byte> span = _body.Span;
        int p = _bodyPosition;
        if (!Varint.TryReadVarInt(span, ref p, out int length) || length < 0 || length > span.Length - p)
        {
            throw new KafkaException(ErrorCode.CorruptMessage, $"A record of {State.TopicPartition} at offset {_baseOffset} is malformed.");
        }
        int end = p + length;
        p++; // attributes
        Varint.TryReadVarLong(span, ref p, out long timestampDelta);
        Varint.TryReadVarInt(span, ref p, out int offsetDelta);
        record.Offset = _baseOffset + offsetDelta;
        record.Timestamp = _logAppendTime ? _maxTimestamp : _baseTimestamp + timestampDelta;
        record.Key = Slice(span, ref p);
        record.Value = Slice(span, ref p);
        Varint.TryReadVarInt(span, ref p, out int headerCount);
        record.HeaderCount = headerCount;
        record.Headers = headerCount > 0 ? _body[p..end] : ReadOnlyMemory<byte>.Empty;
        _bodyPosition = end;
        return true;
    }

    private ReadOnlyMemory<byte>? Slice(ReadOnlySpan<byte> span, ref int p)
    {
        Varint.TryReadVarInt(span, ref p, out int length);
        if (length < 0)
        {
            return null;
        }
        ReadOnlyMemory<byte> slice = _body.Slice(p, length);
        p += length;
        return slice;
    }

    private bool NextBatch()
    {
        ReadOnlySpan<byte> all = data.Span;
        if (all.Length - _position < RecordBatchLayout.HeaderSize)
        {
            return false;
        }
        int total = BinaryPrimitives.ReadInt32BigEndian(all[(_position + RecordBatchLayout.BatchLength)..]) + RecordBatchLayout.LogOverhead;
        if (total > all.Length - _position || total < RecordBatchLayout.HeaderSize)
        {
            return false; // a partial batch at the end of the response
        }
        ReadOnlySpan<byte> header = all.Slice(_position, RecordBatchLayout.HeaderSize);
        ReadOnlyMemory<byte> batch = data.Slice(_position, total);
        _position += total;
        if (header[RecordBatchLayout.Magic] != 2)
        {
            throw new KafkaException(ErrorCode.UnsupportedForMessageFormat, $"{State.TopicPartition} holds a magic {header[RecordBatchLayout.Magic]} batch; this client reads magic 2.");
        }
        short attributes = BinaryPrimitives.ReadInt16BigEndian(header[RecordBatchLayout.Attributes..]);
        long batchBase = BinaryPrimitives.ReadInt64BigEndian(header);
        long batchLast = batchBase + BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.LastOffsetDelta..]);
        NextOffset = batchLast + 1;
        if (aborted is not null && SkipAborted(header, batch.Span, attributes, batchLast))
        {
            return true;
        }
        if ((attributes & RecordBatchLayout.ControlFlag) != 0)
        {
            return true;
        }
        _baseOffset = batchBase;
        _baseTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.BaseTimestamp..]);
        _maxTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.MaxTimestamp..]);
        _logAppendTime = (attributes & RecordBatchLayout.TimestampTypeFlag) != 0;
        _remaining = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.RecordCount..]);
        long lastOffset = _baseOffset + BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.LastOffsetDelta..]);
        if (lastOffset < State.Position)
        {
            _remaining = 0; // wholly before the position (fetched from the middle of an earlier batch)
            return true;
        }
        var codec = (CompressionType)(attributes & RecordBatchLayout.CompressionMask);
        _body = batch[RecordBatchLayout.HeaderSize..];
        if (codec != CompressionType.None)
        {
            var output = new ArrayBufferWriter<byte>(Math.Max(1024, _body.Length * 4));
            Codecs.Decompress(codec, _body.Span, output, 256 * 1024 * 1024);
            _body = output.WrittenMemory;
        }
        _bodyPosition = 0;
        return true;
    }

    /// <summary>read_committed: whether this batch belongs to an aborted transaction (or is the marker that ends one).</summary>
    private bool SkipAborted(ReadOnlySpan<byte> header, ReadOnlySpan<byte> batch, short attributes, long lastOffset)
    {
        long producerId = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.ProducerId..]);
        if (producerId < 0)
        {
            return false;
        }
        while (_abortedIndex < aborted!.Length && aborted[_abortedIndex].FirstOffset <= lastOffset)
        {
            (_abortedProducers ??= []).Add(aborted[_abortedIndex++].ProducerId);
        }
        if ((attributes & RecordBatchLayout.ControlFlag) != 0)
        {
            if (IsAbortMarker(batch[RecordBatchLayout.HeaderSize..]))
            {
                _abortedProducers?.Remove(producerId);
            }
            return true;
        }
        return (attributes & RecordBatchLayout.TransactionalFlag) != 0 && _abortedProducers?.Contains(producerId) == true;
    }

    /// <summary>A control batch's first record key: int16 version, int16 type (0 abort, 1 commit).</summary>
    private static bool IsAbortMarker(ReadOnlySpan<byte> records)
    {
        int p = 0;
        if (!Varint.TryReadVarInt(records, ref p, out _) || p >= records.Length)
        {
            return false;
        }
        p++; // attributes
        if (!Varint.TryReadVarLong(records, ref p, out _) || !Varint.TryReadVarInt(records, ref p, out _)
            || !Varint.TryReadVarInt(records, ref p, out int keyLength) || keyLength < 4 || keyLength > records.Length - p)
        {
            return false;
        }
        return BinaryPrimitives.ReadInt16BigEndian(records[(p + 2)..]) == 0;
    }
}
