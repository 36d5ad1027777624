using System.Buffers;
using Rill.Protocol.Compression;

namespace Rill.Protocol.Records;

/// <summary>Checks the records inside a compressed batch by decompressing them into a pooled buffer.</summary>
internal static class CompressedRecords
{
    /// <summary>Largest decompressed records area accepted (bounds what a hostile batch can make us allocate).</summary>
    public const int MaxDecompressedSize = 256 * 1024 * 1024;

    public static string? CheckKeys(ReadOnlySpan<byte> compressed, int codec, int count, int lastOffsetDelta,
        int firstIndex, ref List<RecordError>? recordErrors)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(256, compressed.Length * 4));
        try
        {
            Codecs.Decompress((CompressionType)codec, compressed, output, MaxDecompressedSize);
        }
        catch (CompressionException e)
        {
            return e.Message;
        }
        return RecordWalker.Check(output.WrittenSpan, count, lastOffsetDelta, requireKeys: true, firstIndex, ref recordErrors);
    }
}
