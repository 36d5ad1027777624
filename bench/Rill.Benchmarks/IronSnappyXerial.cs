using System.Buffers;
using System.Buffers.Binary;
using IronSnappy;
using Rill.Protocol.Compression;

namespace Rill.Benchmarks;

/// <summary>
/// The snappy codec Rill used before Snappier (IronSnappy), kept for CodecBenchmarks.
/// Snappy as Kafka clients use it: the Java client writes xerial framing (an 8-byte magic, two
/// version ints, then [int32 length][snappy block] chunks); librdkafka reads both that and raw
/// snappy blocks. We write xerial framing and read either.
/// </summary>
internal static class IronSnappyXerial
{
    private static ReadOnlySpan<byte> Magic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];
    private const int HeaderSize = 16;
    private const int ChunkSize = 32 * 1024;

    public static void Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        Span<byte> header = output.GetSpan(HeaderSize);
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 1);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], 1);
        output.Advance(HeaderSize);
        while (!input.IsEmpty)
        {
            ReadOnlySpan<byte> chunk = input[..Math.Min(ChunkSize, input.Length)];
            input = input[chunk.Length..];
            byte[] block = Snappy.Encode(chunk);
            Span<byte> length = output.GetSpan(4);
            BinaryPrimitives.WriteInt32BigEndian(length, block.Length);
            output.Advance(4);
            output.Write(block);
        }
    }

    public static void Decompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        if (!input.StartsWith(Magic))
        {
            WriteBlock(input, output, maxOutput);
            return;
        }
        if (input.Length < HeaderSize)
        {
            throw new CompressionException("Truncated xerial snappy header.");
        }
        int position = HeaderSize;
        long total = 0;
        while (position < input.Length)
        {
            if (input.Length - position < 4)
            {
                throw new CompressionException("Truncated xerial snappy chunk length.");
            }
            int length = BinaryPrimitives.ReadInt32BigEndian(input[position..]);
            position += 4;
            if (length < 0 || length > input.Length - position)
            {
                throw new CompressionException($"Xerial snappy chunk of {length} bytes runs past the end.");
            }
            total += WriteBlock(input.Slice(position, length), output, maxOutput - (int)Math.Min(total, maxOutput));
            position += length;
        }
    }

    private static int WriteBlock(ReadOnlySpan<byte> block, IBufferWriter<byte> output, int maxOutput)
    {
        // The block starts with its uncompressed length; the decoder allocates that much up front,
        // so check the claim against the limit before trusting it.
        ulong claimed = 0;
        for (int i = 0, shift = 0; ; i++, shift += 7)
        {
            if (i == block.Length || i == 5)
            {
                throw new CompressionException("Corrupt snappy data: bad uncompressed length.");
            }
            claimed |= (ulong)(block[i] & 0x7F) << shift;
            if ((block[i] & 0x80) == 0)
            {
                break;
            }
        }
        if (claimed > (ulong)maxOutput)
        {
            throw new CompressionException($"Snappy data decompresses to more than the limit of {maxOutput} bytes.");
        }
        byte[] decoded;
        try
        {
            decoded = Snappy.Decode(block);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CompressionException("Corrupt snappy data: " + e.Message);
        }
        if (decoded.Length > maxOutput)
        {
            throw new CompressionException($"Snappy data decompresses to more than the limit of {maxOutput} bytes.");
        }
        output.Write(decoded);
        return decoded.Length;
    }
}
