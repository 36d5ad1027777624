using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Client.Producing;

/// <summary>
/// One partition's batch under construction: records are appended straight into a pooled buffer
/// after room for the v2 batch header, so appending allocates nothing. Sealing writes the header
/// (producer id, epoch, sequence), compresses if asked, and computes the CRC-32C.
/// </summary>
internal sealed class ProducerBatch
{
    private byte[] _buffer;
    private int _length = RecordBatchLayout.HeaderSize;
    private object?[] _completions;
    private long[] _timestamps;
    private byte[]? _compressed;
    private byte[]? _sealed;
    private int _sealedLength;
    private long _sealedProducerId;
    private short _sealedEpoch;
    private int _sealedSequence;

    public ProducerBatch(string topic, int partition, int capacity, long createdTicks)
    {
        Topic = topic;
        Partition = partition;
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        int expected = Math.Clamp(capacity / 64, 64, 64 * 1024); // records of ~50 bytes fill a batch without growing these
        _completions = ArrayPool<object?>.Shared.Rent(expected);
        _timestamps = ArrayPool<long>.Shared.Rent(expected);
        CreatedTicks = createdTicks;
        Capacity = capacity;
    }

    public string Topic { get; }
    public int Partition { get; }
    public int Capacity { get; }
    public long CreatedTicks { get; }
    public int Count { get; private set; }
    public long BaseTimestamp { get; private set; }
    public long MaxTimestamp { get; private set; } = long.MinValue;
    public int BaseSequence { get; set; } = -1;

    /// <summary>The producer id and epoch the sequence belongs to (set with the sequence when drained).</summary>
    public long ProducerId { get; set; } = -1;

    public short ProducerEpoch { get; set; } = -1;

    /// <summary>Position among the partition's batches (append order), which retries keep.</summary>
    public long Order { get; set; }
    public int Attempts { get; set; }
    public bool IsFull { get; set; }
    public long RetryAtTicks { get; set; }
    public int SizeInBytes => _length;

    /// <summary>Bytes this batch adds to a Produce request: the sealed size once sealed, else the uncompressed size.</summary>
    public int WireSize => _sealed is null ? _length : _sealedLength;

    /// <summary>Per-record completion (a delivery callback or a TaskCompletionSource), or null.</summary>
    public object? CompletionAt(int index) => _completions[index];

    /// <summary>The timestamp of the record at this index.</summary>
    public long TimestampAt(int index) => _timestamps[index];

    /// <summary>Bytes a record takes in a batch (length prefix included), for sizing a new batch.</summary>
    public static int EstimateSize(int keyLength, int valueLength, Headers? headers)
    {
        int size = 32 + Math.Max(0, keyLength) + Math.Max(0, valueLength);
        if (headers is not null)
        {
            foreach (var h in headers)
            {
                size += 10 + Encoding.UTF8.GetMaxByteCount(h.Key.Length) + (h.Value?.Length ?? 0);
            }
        }
        return size;
    }

    /// <summary>
    /// The most bytes one record can take inside a batch, as Java's DefaultRecord.recordSizeUpperBound:
    /// 21 bytes of length, attributes, timestamp and offset deltas at their widest, then key, value and
    /// headers with their length prefixes. Lengths are -1 for a null key or value.
    /// </summary>
    public static int RecordSizeUpperBound(int keyLength, int valueLength, Headers? headers)
    {
        int size = 21 + Varint.SizeOf(keyLength) + Math.Max(0, keyLength) + Varint.SizeOf(valueLength) + Math.Max(0, valueLength)
            + Varint.SizeOf(headers?.Count ?? 0);
        if (headers is not null)
        {
            foreach (var h in headers)
            {
                int nameLength = Encoding.UTF8.GetByteCount(h.Key);
                int hv = h.Value?.Length ?? -1;
                size += Varint.SizeOf(nameLength) + nameLength + Varint.SizeOf(hv) + Math.Max(0, hv);
            }
        }
        return size;
    }

    /// <summary>Appends one record; false (nothing written) when it does not fit.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool TryAppend(long timestamp, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue, Headers? headers, object? completion)
    {
        if (Count == 0)
        {
            BaseTimestamp = timestamp;
        }
        long timestampDelta = timestamp - BaseTimestamp;
        int keyLength = hasKey ? key.Length : -1;
        int valueLength = hasValue ? value.Length : -1;
        int headerCount = headers?.Count ?? 0;
        int bodySize = 1 + Varint.SizeOf(timestampDelta) + Varint.SizeOf(Count)
            + Varint.SizeOf(keyLength) + Math.Max(0, keyLength)
            + Varint.SizeOf(valueLength) + Math.Max(0, valueLength)
            + Varint.SizeOf(headerCount);
        if (headers is not null)
        {
            foreach (var h in headers)
            {
                int nameLength = Encoding.UTF8.GetByteCount(h.Key);
                int hv = h.Value?.Length ?? -1;
                bodySize += Varint.SizeOf(nameLength) + nameLength + Varint.SizeOf(hv) + Math.Max(0, hv);
            }
        }
        int total = Varint.SizeOf(bodySize) + bodySize;
        if (_length + total > Capacity && Count > 0)
        {
            return false; // full at the size asked for (the pooled buffer may be larger)
        }
        if (_length + total > _buffer.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(_length + total);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        Span<byte> span = _buffer.AsSpan(_length, total);
        int p = Varint.Write(span, bodySize);
        span[p++] = 0;
        p += Varint.Write(span[p..], timestampDelta);
        p += Varint.Write(span[p..], Count);
        p += Varint.Write(span[p..], keyLength);
        if (hasKey)
        {
            key.CopyTo(span[p..]);
            p += key.Length;
        }
        p += Varint.Write(span[p..], valueLength);
        if (hasValue)
        {
            value.CopyTo(span[p..]);
            p += value.Length;
        }
        p += Varint.Write(span[p..], headerCount);
        if (headers is not null)
        {
            foreach (var h in headers)
            {
                p += Varint.Write(span[p..], Encoding.UTF8.GetByteCount(h.Key));
                p += Encoding.UTF8.GetBytes(h.Key, span[p..]);
                p += Varint.Write(span[p..], h.Value?.Length ?? -1);
                if (h.Value is { } hv)
                {
                    hv.CopyTo(span[p..]);
                    p += hv.Length;
                }
            }
        }
        _length += total;
        if (Count == _completions.Length)
        {
            object?[] grown = ArrayPool<object?>.Shared.Rent(Count * 2);
            Array.Copy(_completions, grown, Count);
            ArrayPool<object?>.Shared.Return(_completions, clearArray: true);
            _completions = grown;
            long[] grownTimes = ArrayPool<long>.Shared.Rent(Count * 2);
            Array.Copy(_timestamps, grownTimes, Count);
            ArrayPool<long>.Shared.Return(_timestamps);
            _timestamps = grownTimes;
        }
        _timestamps[Count] = timestamp;
        _completions[Count++] = completion;
        if (timestamp > MaxTimestamp)
        {
            MaxTimestamp = timestamp;
        }
        return true;
    }

    /// <summary>
    /// Compresses once and writes the batch header; a retry with the same producer id, epoch and
    /// sequence gets the same bytes back. After an epoch bump (KIP-360) the batch is sent under the
    /// new producer id, epoch and sequence: only those header fields and the CRC are rewritten.
    /// </summary>
    public ReadOnlyMemory<byte> Seal(CompressionType compression, long producerId, short producerEpoch, bool transactional = false)
    {
        if (_sealed is null)
        {
            byte[] target = _buffer;
            int length = _length;
            if (compression != CompressionType.None)
            {
                var output = new ArrayBufferWriter<byte>(Math.Max(256, _length / 2));
                output.Advance(RecordBatchLayout.HeaderSize);
                Codecs.Compress(compression, _buffer.AsSpan(RecordBatchLayout.HeaderSize, _length - RecordBatchLayout.HeaderSize), output);
                length = output.WrittenCount;
                _compressed = ArrayPool<byte>.Shared.Rent(length);
                output.WrittenSpan.CopyTo(_compressed);
                target = _compressed;
            }
            Span<byte> header = target.AsSpan(0, length);
            BinaryPrimitives.WriteInt64BigEndian(header, 0);
            BinaryPrimitives.WriteInt32BigEndian(header[RecordBatchLayout.BatchLength..], length - RecordBatchLayout.LogOverhead);
            BinaryPrimitives.WriteInt32BigEndian(header[RecordBatchLayout.PartitionLeaderEpoch..], -1);
            header[RecordBatchLayout.Magic] = 2;
            BinaryPrimitives.WriteInt16BigEndian(header[RecordBatchLayout.Attributes..],
                (short)((int)compression | (transactional ? RecordBatchLayout.TransactionalFlag : 0)));
            BinaryPrimitives.WriteInt32BigEndian(header[RecordBatchLayout.LastOffsetDelta..], Count - 1);
            BinaryPrimitives.WriteInt64BigEndian(header[RecordBatchLayout.BaseTimestamp..], BaseTimestamp);
            BinaryPrimitives.WriteInt64BigEndian(header[RecordBatchLayout.MaxTimestamp..], MaxTimestamp);
            BinaryPrimitives.WriteInt32BigEndian(header[RecordBatchLayout.RecordCount..], Count);
            _sealed = target;
            _sealedLength = length;
        }
        else if (_sealedProducerId == producerId && _sealedEpoch == producerEpoch && _sealedSequence == BaseSequence)
        {
            return _sealed.AsMemory(0, _sealedLength);
        }
        Span<byte> batch = _sealed.AsSpan(0, _sealedLength);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.ProducerId..], producerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.ProducerEpoch..], producerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BaseSequence..], BaseSequence);
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchLayout.Crc..], Crc32C.Compute(batch[RecordBatchLayout.Attributes..]));
        (_sealedProducerId, _sealedEpoch, _sealedSequence) = (producerId, producerEpoch, BaseSequence);
        return _sealed.AsMemory(0, _sealedLength);
    }

    /// <summary>Returns the pooled buffers; the batch is unusable afterwards.</summary>
    public void Release()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<object?>.Shared.Return(_completions, clearArray: true);
        ArrayPool<long>.Shared.Return(_timestamps);
        if (_compressed is not null)
        {
            ArrayPool<byte>.Shared.Return(_compressed);
        }
        _buffer = [];
        _completions = [];
        _timestamps = [];
        _sealed = null;
    }
}
