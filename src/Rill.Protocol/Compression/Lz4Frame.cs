using System.Buffers;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;

namespace Rill.Protocol.Compression;

/// <summary>
/// The LZ4 frame format (what Kafka's lz4 codec means since message format v1), managed
/// (K4os.Compression.LZ4.Streams): no native liblz4 needed. Writes independent 64 KB blocks
/// without checksums, which every Kafka client reads; reads any standard frame.
/// </summary>
internal static class Lz4Frame
{
    private static readonly LZ4EncoderSettings Settings = new()
    {
        BlockSize = 64 * 1024,
        ChainBlocks = false,
        CompressionLevel = LZ4Level.L00_FAST,
    };

    public static void Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output) =>
        LZ4Frame.Encode(input, output, Settings);

    public static void Decompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        var limited = new LimitedWriter(output, maxOutput, "lz4");
        try
        {
            LZ4Frame.Decode(input, limited);
        }
        catch (Exception e) when (e is not CompressionException and not OutOfMemoryException)
        {
            throw new CompressionException("Corrupt lz4 data: " + e.Message);
        }
    }
}
