using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;
using Rill.Storage.Internal;

namespace Rill.Storage.Cleaning;

/// <summary>
/// Rewrites one stored batch without the records a <see cref="CleaningPass"/> drops. The batch keeps its base
/// offset, last offset delta, producer fields and base timestamp (so every kept record keeps its offset and
/// timestamp); its record count, max timestamp, length and CRC are recomputed. A compressed batch is decompressed
/// and its kept records compressed again with the same codec. A batch that loses nothing is copied byte for byte.
/// Buffers are reused from one batch to the next.
/// </summary>
internal sealed class BatchFilter
{
    private readonly ArrayBufferWriter<byte> _decompressed = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _kept = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _assembled = new(64 * 1024);

    /// <summary>Appends what is left of <paramref name="batch"/> (possibly nothing) to <paramref name="output"/>.</summary>
    public void Filter(ReadOnlySpan<byte> batch, CleaningPass pass, IBufferWriter<byte> output)
    {
        if (Batch.IsControl(batch))
        {
            if (!pass.DiscardMarker(batch)) output.Write(batch);
            return;
        }
        if (pass.DiscardAbortedBatch(batch, Batch.RecordCount(batch)))
        {
            // Aborted data goes whole; the producer's last batch stays as an empty batch for its sequence (as Kafka).
            if (pass.KeepEmpty(Batch.ProducerId(batch), Batch.LastOffset(batch)))
            {
                WriteBatch(batch, CompressionType.None, 0, Batch.MaxTimestamp(batch), [], output);
            }
            return;
        }
        var codec = (CompressionType)(Batch.Attributes(batch) & RecordBatchLayout.CompressionMask);
        ReadOnlySpan<byte> records = Records(batch, codec);
        long baseOffset = Batch.BaseOffset(batch);
        long baseTimestamp = Batch.BaseTimestamp(batch);
        bool logAppendTime = Batch.IsLogAppendTime(batch);
        int count = Batch.RecordCount(batch);

        _kept.ResetWrittenCount();
        int kept = 0;
        long maxTimestamp = -1;
        int position = 0;
        for (int i = 0; i < count; i++)
        {
            if (!CleanerRecord.TryRead(records, ref position, out CleanerRecord record))
            {
                output.Write(batch); // not a batch we understand: keep it whole rather than lose anything
                return;
            }
            long timestamp = logAppendTime ? Batch.MaxTimestamp(batch) : baseTimestamp + record.TimestampDelta;
            if (pass.Retain(baseOffset + record.OffsetDelta, timestamp, record))
            {
                _kept.Write(record.Whole);
                kept++;
                maxTimestamp = Math.Max(maxTimestamp, timestamp);
            }
        }

        if (kept == count)
        {
            output.Write(batch);
        }
        else if (kept > 0)
        {
            WriteBatch(batch, codec, kept, logAppendTime ? Batch.MaxTimestamp(batch) : maxTimestamp, _kept.WrittenSpan, output);
        }
        else if (pass.KeepEmpty(Batch.ProducerId(batch), Batch.LastOffset(batch)))
        {
            WriteBatch(batch, CompressionType.None, 0, Batch.MaxTimestamp(batch), [], output);
        }
    }

    /// <summary>
    /// Puts every keyed record of <paramref name="batch"/> in <paramref name="map"/> (control batches hold no keys, and
    /// batches of aborted transactions are skipped).
    /// </summary>
    public void MapKeys(ReadOnlySpan<byte> batch, OffsetMap map, CleanedTransactions? transactions = null)
    {
        if (Batch.IsControl(batch))
        {
            return;
        }
        if (transactions is not null && transactions.OnDataBatch(batch))
        {
            return; // aborted data must not supersede committed records
        }
        ReadOnlySpan<byte> records = Records(batch, (CompressionType)(Batch.Attributes(batch) & RecordBatchLayout.CompressionMask));
        long baseOffset = Batch.BaseOffset(batch);
        int count = Batch.RecordCount(batch);
        int position = 0;
        for (int i = 0; i < count && CleanerRecord.TryRead(records, ref position, out CleanerRecord record); i++)
        {
            if (record.HasKey) map.Put(record.Key, baseOffset + record.OffsetDelta);
        }
    }

    private ReadOnlySpan<byte> Records(ReadOnlySpan<byte> batch, CompressionType codec)
    {
        ReadOnlySpan<byte> area = batch[RecordBatchLayout.HeaderSize..];
        if (codec == CompressionType.None)
        {
            return area;
        }
        _decompressed.ResetWrittenCount();
        Codecs.Decompress(codec, area, _decompressed, 256 * 1024 * 1024);
        return _decompressed.WrittenSpan;
    }

    private void WriteBatch(ReadOnlySpan<byte> original, CompressionType codec, int count, long maxTimestamp,
        ReadOnlySpan<byte> records, IBufferWriter<byte> output)
    {
        _assembled.ResetWrittenCount();
        _assembled.Write(original[..RecordBatchLayout.HeaderSize]);
        Codecs.Compress(codec, records, _assembled);
        Span<byte> b = MemoryMarshal.AsMemory(_assembled.WrittenMemory).Span;
        BinaryPrimitives.WriteInt32BigEndian(b[RecordBatchLayout.BatchLength..], b.Length - RecordBatchLayout.LogOverhead);
        short attributes = (short)((Batch.Attributes(b) & ~RecordBatchLayout.CompressionMask) | (int)codec);
        BinaryPrimitives.WriteInt16BigEndian(b[RecordBatchLayout.Attributes..], attributes);
        BinaryPrimitives.WriteInt64BigEndian(b[RecordBatchLayout.MaxTimestamp..], maxTimestamp);
        BinaryPrimitives.WriteInt32BigEndian(b[RecordBatchLayout.RecordCount..], count);
        Batch.UpdateCrc(b);
        output.Write(b);
    }
}
