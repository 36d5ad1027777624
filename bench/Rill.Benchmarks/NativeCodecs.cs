using System.Buffers;
using System.Runtime.InteropServices;
using Rill.Protocol.Compression;

namespace Rill.Benchmarks;

/// <summary>The codecs Rill used before the managed ones, kept for CodecBenchmarks. LZ4 frame format through the system's liblz4 (apt liblz4-1).</summary>
internal static unsafe partial class NativeLz4Frame
{
    private const string Library = "liblz4.so.1";
    private const uint Version = 100;

    [LibraryImport(Library)] private static partial nuint LZ4F_createDecompressionContext(out nint context, uint version);
    [LibraryImport(Library)] private static partial nuint LZ4F_freeDecompressionContext(nint context);
    [LibraryImport(Library)] private static partial nuint LZ4F_decompress(nint context, byte* destination, ref nuint destinationSize, byte* source, ref nuint sourceSize, nint options);
    [LibraryImport(Library)] private static partial uint LZ4F_isError(nuint code);
    [LibraryImport(Library)] private static partial nint LZ4F_getErrorName(nuint code);
    [LibraryImport(Library)] private static partial nuint LZ4F_compressFrameBound(nuint sourceSize, nint preferences);
    [LibraryImport(Library)] private static partial nuint LZ4F_compressFrame(byte* destination, nuint capacity, byte* source, nuint sourceSize, nint preferences);

    private static string Error(nuint code) => Marshal.PtrToStringAnsi(LZ4F_getErrorName(code)) ?? "unknown error";

    public static void Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        int bound = (int)LZ4F_compressFrameBound((nuint)input.Length, 0);
        Span<byte> destination = output.GetSpan(bound);
        fixed (byte* src = input)
        fixed (byte* dst = destination)
        {
            nuint written = LZ4F_compressFrame(dst, (nuint)destination.Length, src, (nuint)input.Length, 0);
            if (LZ4F_isError(written) != 0)
            {
                throw new CompressionException("lz4 compression failed: " + Error(written));
            }
            output.Advance((int)written);
        }
    }

    public static void Decompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        nuint created = LZ4F_createDecompressionContext(out nint context, Version);
        if (LZ4F_isError(created) != 0)
        {
            throw new CompressionException("lz4 context: " + Error(created));
        }
        try
        {
            fixed (byte* src = input)
            {
                int consumed = 0;
                long total = 0;
                while (true)
                {
                    Span<byte> span = output.GetSpan(64 * 1024);
                    nuint produced = (nuint)span.Length;
                    nuint sourceSize = (nuint)(input.Length - consumed);
                    nuint hint;
                    fixed (byte* dst = span)
                    {
                        hint = LZ4F_decompress(context, dst, ref produced, src + consumed, ref sourceSize, 0);
                    }
                    if (LZ4F_isError(hint) != 0)
                    {
                        throw new CompressionException("Corrupt lz4 data: " + Error(hint));
                    }
                    consumed += (int)sourceSize;
                    total += (long)produced;
                    if (total > maxOutput)
                    {
                        throw new CompressionException($"lz4 data decompresses to more than {maxOutput} bytes.");
                    }
                    output.Advance((int)produced);
                    if (hint == 0)
                    {
                        return;
                    }
                    if (consumed >= input.Length && produced == 0)
                    {
                        throw new CompressionException("Truncated lz4 frame.");
                    }
                }
            }
        }
        finally
        {
            LZ4F_freeDecompressionContext(context);
        }
    }
}

/// <summary>Zstandard through the system's libzstd (apt libzstd1). Streams, since a frame may not state its size.</summary>
internal static unsafe partial class NativeZstd
{
    private const string Library = "libzstd.so.1";

    [StructLayout(LayoutKind.Sequential)]
    private struct InBuffer
    {
        public byte* Source;
        public nuint Size;
        public nuint Position;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct OutBuffer
    {
        public byte* Destination;
        public nuint Size;
        public nuint Position;
    }

    [LibraryImport(Library)] private static partial nint ZSTD_createDStream();
    [LibraryImport(Library)] private static partial nuint ZSTD_freeDStream(nint stream);
    [LibraryImport(Library)] private static partial nuint ZSTD_initDStream(nint stream);
    [LibraryImport(Library)] private static partial nuint ZSTD_decompressStream(nint stream, ref OutBuffer output, ref InBuffer input);
    [LibraryImport(Library)] private static partial uint ZSTD_isError(nuint code);
    [LibraryImport(Library)] private static partial nint ZSTD_getErrorName(nuint code);
    [LibraryImport(Library)] private static partial nuint ZSTD_compressBound(nuint size);
    [LibraryImport(Library)] private static partial nuint ZSTD_compress(byte* destination, nuint capacity, byte* source, nuint size, int level);

    private static string Error(nuint code) => Marshal.PtrToStringAnsi(ZSTD_getErrorName(code)) ?? "unknown error";

    public static void Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int level = 3)
    {
        int bound = (int)ZSTD_compressBound((nuint)input.Length);
        Span<byte> destination = output.GetSpan(bound);
        fixed (byte* src = input)
        fixed (byte* dst = destination)
        {
            nuint written = ZSTD_compress(dst, (nuint)destination.Length, src, (nuint)input.Length, level);
            if (ZSTD_isError(written) != 0)
            {
                throw new CompressionException("zstd compression failed: " + Error(written));
            }
            output.Advance((int)written);
        }
    }

    public static void Decompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        nint stream = ZSTD_createDStream();
        if (stream == 0)
        {
            throw new CompressionException("zstd: cannot create a decompression stream.");
        }
        try
        {
            nuint init = ZSTD_initDStream(stream);
            if (ZSTD_isError(init) != 0)
            {
                throw new CompressionException("zstd: " + Error(init));
            }
            fixed (byte* src = input)
            {
                var inBuffer = new InBuffer { Source = src, Size = (nuint)input.Length, Position = 0 };
                long total = 0;
                while (true)
                {
                    Span<byte> span = output.GetSpan(64 * 1024);
                    nuint remaining;
                    nuint produced;
                    fixed (byte* dst = span)
                    {
                        var outBuffer = new OutBuffer { Destination = dst, Size = (nuint)span.Length, Position = 0 };
                        remaining = ZSTD_decompressStream(stream, ref outBuffer, ref inBuffer);
                        produced = outBuffer.Position;
                    }
                    if (ZSTD_isError(remaining) != 0)
                    {
                        throw new CompressionException("Corrupt zstd data: " + Error(remaining));
                    }
                    total += (long)produced;
                    if (total > maxOutput)
                    {
                        throw new CompressionException($"zstd data decompresses to more than {maxOutput} bytes.");
                    }
                    output.Advance((int)produced);
                    if (remaining == 0 && inBuffer.Position == inBuffer.Size)
                    {
                        return;
                    }
                    if (inBuffer.Position == inBuffer.Size && produced == 0)
                    {
                        throw new CompressionException("Truncated zstd frame.");
                    }
                }
            }
        }
        finally
        {
            ZSTD_freeDStream(stream);
        }
    }
}
