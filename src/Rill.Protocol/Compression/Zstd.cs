using System.Buffers;
using ZstdSharp;

namespace Rill.Protocol.Compression;

/// <summary>
/// Zstandard: the system's libzstd when it loads (<see cref="NativeZstd"/>, about twice as fast to
/// decompress), else the managed port (ZstdSharp.Port, a port of the reference libzstd), so no native
/// library is required. Both give the same bytes out for the same frames and the same
/// <see cref="CompressionException"/> for bad ones. Decompression streams, since a frame may not state
/// its size (the Java client's streaming writer leaves it out). One compressor and one decompressor per
/// thread, reused.
/// </summary>
internal static class Zstd
{
    private const int Level = 3;

    /// <summary>Which implementation is in use: "libzstd 1.5.4" or "ZstdSharp (managed)".</summary>
    public static string Implementation => NativeZstd.Available ? NativeZstd.Version! : "ZstdSharp (managed)";

    public static void Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        if (NativeZstd.Available)
        {
            NativeZstd.Compress(input, output, Level);
        }
        else
        {
            CompressManaged(input, output);
        }
    }

    public static void Decompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        if (NativeZstd.Available)
        {
            NativeZstd.Decompress(input, output, maxOutput);
        }
        else
        {
            DecompressManaged(input, output, maxOutput);
        }
    }

    [ThreadStatic] private static Compressor? t_compressor;
    [ThreadStatic] private static Decompressor? t_decompressor;

    internal static void CompressManaged(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        Compressor compressor = t_compressor ??= new Compressor(Level);
        Span<byte> destination = output.GetSpan(Compressor.GetCompressBound(input.Length));
        int written;
        try
        {
            written = compressor.Wrap(input, destination);
        }
        catch (ZstdException e)
        {
            throw new CompressionException("zstd compression failed: " + e.Message);
        }
        output.Advance(written);
    }

    internal static void DecompressManaged(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        Decompressor decompressor = t_decompressor ??= new Decompressor();
        decompressor.ResetStream();
        int consumed = 0;
        long total = 0;
        try
        {
            while (true)
            {
                Span<byte> span = output.GetSpan(64 * 1024);
                OperationStatus status = decompressor.UnwrapStream(input[consumed..], span, out int read, out int produced);
                consumed += read;
                total += produced;
                if (total > maxOutput)
                {
                    throw new CompressionException($"zstd data decompresses to more than {maxOutput} bytes.");
                }
                output.Advance(produced);
                if (status == OperationStatus.Done && consumed == input.Length)
                {
                    return;   // the last frame is complete and all input is used
                }
                if (status == OperationStatus.InvalidData)
                {
                    throw new CompressionException("Corrupt zstd data.");
                }
                if (consumed == input.Length && produced == 0)
                {
                    throw new CompressionException("Truncated zstd frame.");
                }
            }
        }
        catch (ZstdException e)
        {
            decompressor.ResetStream();
            throw new CompressionException("Corrupt zstd data: " + e.Message);
        }
    }
}
