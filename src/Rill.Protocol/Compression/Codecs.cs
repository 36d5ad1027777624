using System.Buffers;
using System.IO.Compression;

namespace Rill.Protocol.Compression;

/// <summary>
/// The four Kafka compression codecs over a records area: gzip (BCL), snappy (Snappier, with
/// the xerial framing the Java client writes), lz4 (the LZ4 frame format, K4os) and
/// zstd (the system's libzstd when present, else ZstdSharp), the others managed. Decompression is bounded
/// by a size limit and never trusts the input.
/// </summary>
public static class Codecs
{
    /// <summary>The zstd implementation in use ("libzstd 1.5.4" or "ZstdSharp (managed)"), for the start-up log.</summary>
    public static string ZstdImplementation => Zstd.Implementation;

    /// <summary>A complete gzip member holding nothing: header, an empty final deflate block, CRC-32 0, size 0.</summary>
    private static ReadOnlySpan<byte> EmptyGzip => [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

    public static void Compress(CompressionType type, ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        switch (type)
        {
            case CompressionType.None:
                output.Write(input);
                break;
            case CompressionType.Gzip when input.IsEmpty:
                output.Write(EmptyGzip);   // GZipStream writes nothing at all, which no gunzip accepts
                break;
            case CompressionType.Gzip:
                using (var stream = new GZipStream(new BufferWriterStream(output), CompressionLevel.Fastest))
                {
                    stream.Write(input);
                }
                break;
            case CompressionType.Snappy:
                XerialSnappy.Compress(input, output);
                break;
            case CompressionType.Lz4:
                Lz4Frame.Compress(input, output);
                break;
            case CompressionType.Zstd:
                Zstd.Compress(input, output);
                break;
            default:
                throw new CompressionException($"Unknown compression codec {(int)type}.");
        }
    }

    public static void Decompress(CompressionType type, ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        switch (type)
        {
            case CompressionType.None:
                output.Write(input);
                break;
            case CompressionType.Gzip:
                Gunzip(input, output, maxOutput);
                break;
            case CompressionType.Snappy:
                XerialSnappy.Decompress(input, output, maxOutput);
                break;
            case CompressionType.Lz4:
                Lz4Frame.Decompress(input, output, maxOutput);
                break;
            case CompressionType.Zstd:
                Zstd.Decompress(input, output, maxOutput);
                break;
            default:
                throw new CompressionException($"Unknown compression codec {(int)type}.");
        }
    }

    private static unsafe void Gunzip(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        if (input.IsEmpty)
        {
            return; // GZipStream writes nothing at all for empty input
        }
        fixed (byte* p = input)
        {
            using var source = new UnmanagedMemoryStream(p, input.Length);
            using var gzip = new GZipStream(source, CompressionMode.Decompress);
            int total = 0;
            try
            {
                while (true)
                {
                    Span<byte> span = output.GetSpan(16 * 1024);
                    int read = gzip.Read(span);
                    if (read == 0)
                    {
                        return;
                    }
                    total += read;
                    if (total > maxOutput)
                    {
                        throw new CompressionException($"gzip data decompresses to more than {maxOutput} bytes.");
                    }
                    output.Advance(read);
                }
            }
            catch (InvalidDataException e)
            {
                throw new CompressionException("Corrupt gzip data: " + e.Message);
            }
        }
    }

    /// <summary>A write-only stream over an IBufferWriter, for the BCL's stream-based compressors.</summary>
    internal sealed class BufferWriterStream(IBufferWriter<byte> output) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException("Write-only stream.");
        public override long Position { get => throw new NotSupportedException("Write-only stream."); set => throw new NotSupportedException("Write-only stream."); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Write-only stream.");
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("Write-only stream.");
        public override void SetLength(long value) => throw new NotSupportedException("Write-only stream.");
        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer) => output.Write(buffer);
    }
}
