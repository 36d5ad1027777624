using System.Buffers;
using System.Buffers.Binary;
using Rill.Protocol.Compression;

namespace Rill.Protocol.Records;

/// <summary>
/// Converts a magic 0/1 message set (Produce v0-2) into one magic-2 batch, so storage holds one
/// format. Each message's CRC-32 is checked; compressed wrapper messages are opened (their value
/// is an inner message set). Keys, values and timestamps are kept (magic 0 has none: -1).
/// </summary>
public static class LegacyMessageSetConverter
{
    private const int MaxDepth = 2;

    public static bool TryConvert(ReadOnlySpan<byte> messageSet, out byte[]? batch, out string? error)
    {
        var records = new List<RecordData>();
        error = Collect(messageSet, records, depth: 0);
        if (error is null && records.Count == 0)
        {
            error = "The message set holds no messages.";
        }
        batch = error is null ? RecordBatchBuilder.Build(records) : null;
        return error is null;
    }

    private static string? Collect(ReadOnlySpan<byte> set, List<RecordData> into, int depth)
    {
        int position = 0;
        while (set.Length - position >= 12)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(set[(position + 8)..]);
            if (size < 14 || size > set.Length - position - 12)
            {
                // A partial trailing message is allowed (clients may cut at a size limit); a bad size is not.
                return size < 14 ? $"Message at byte {position} has size {size}." : null;
            }
            ReadOnlySpan<byte> message = set.Slice(position + 12, size);
            position += 12 + size;

            uint crc = BinaryPrimitives.ReadUInt32BigEndian(message);
            if (Crc32.Compute(message[4..]) != crc)
            {
                return $"Message at byte {position - 12 - size} fails its CRC.";
            }
            byte magic = message[4];
            byte attributes = message[5];
            if (magic > 1)
            {
                return $"Message at byte {position - 12 - size} has magic {magic} inside a legacy message set.";
            }
            int p = 6;
            long timestamp = -1;
            if (magic == 1)
            {
                if (message.Length < p + 8)
                {
                    return "Truncated message timestamp.";
                }
                timestamp = BinaryPrimitives.ReadInt64BigEndian(message[p..]);
                p += 8;
            }
            if (!TryReadBytes(message, ref p, out ReadOnlyMemory<byte>? key) || !TryReadBytes(message, ref p, out ReadOnlyMemory<byte>? value))
            {
                return "Message key or value runs past the message.";
            }
            var codec = (CompressionType)(attributes & 0x07);
            if (codec == CompressionType.None)
            {
                into.Add(new RecordData(timestamp, key, value));
                continue;
            }
            if (depth >= MaxDepth || value is null)
            {
                return "Compressed message nests too deep or has no value.";
            }
            var inner = new ArrayBufferWriter<byte>();
            try
            {
                Codecs.Decompress(codec, value.Value.Span, inner, 256 * 1024 * 1024);
            }
            catch (CompressionException e)
            {
                return e.Message;
            }
            if (Collect(inner.WrittenSpan, into, depth + 1) is { } innerError)
            {
                return innerError;
            }
        }
        return null;
    }

    private static bool TryReadBytes(ReadOnlySpan<byte> message, ref int position, out ReadOnlyMemory<byte>? bytes)
    {
        bytes = null;
        if (message.Length - position < 4)
        {
            return false;
        }
        int length = BinaryPrimitives.ReadInt32BigEndian(message[position..]);
        position += 4;
        if (length < 0)
        {
            return length == -1;
        }
        if (length > message.Length - position)
        {
            return false;
        }
        bytes = message.Slice(position, length).ToArray();
        position += length;
        return true;
    }
}
