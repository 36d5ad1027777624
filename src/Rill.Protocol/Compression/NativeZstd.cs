using System.Buffers;
using System.Runtime.InteropServices;

namespace Rill.Protocol.Compression;

/// <summary>
/// Zstandard through the system's libzstd (<c>libzstd.so.1</c>, part of Debian's base system), loaded with
/// <see cref="NativeLibrary.TryLoad(string, out nint)"/> when first used; <see cref="Available"/> is false
/// when it is absent, older than 1.4 or turned off with <c>RILL_ZSTD=managed</c>, and <see cref="Zstd"/>
/// then uses the managed port. Decompression streams (a frame may not state its size) with one
/// decompression context per thread, reused and reset per call; libzstd checks every input bound itself
/// and reports corrupt or truncated input as an error code, which becomes a <see cref="CompressionException"/>.
/// </summary>
internal static unsafe class NativeZstd
{
    private const int ResetSessionOnly = 1;      // ZSTD_reset_session_only
    private const int WindowLogMaxParameter = 100; // ZSTD_d_windowLogMax
    private const int WindowLogMax = 27;          // libzstd's default limit (128 MiB windows): refuse bigger ones
    private const ulong MaxStep = 4 << 20;

    private static readonly delegate* unmanaged<nint> CreateDCtx;
    private static readonly delegate* unmanaged<nint, nuint> FreeDCtx;
    private static readonly delegate* unmanaged<nint, int, nuint> ResetDCtx;
    private static readonly delegate* unmanaged<nint, int, int, nuint> SetDParameter;
    private static readonly delegate* unmanaged<nint, OutBuffer*, InBuffer*, nuint> DecompressStream;
    private static readonly delegate* unmanaged<nint> CreateCCtx;
    private static readonly delegate* unmanaged<nint, nuint> FreeCCtx;
    private static readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, int, nuint> CompressCCtx;
    private static readonly delegate* unmanaged<nuint, nuint> CompressBound;
    private static readonly delegate* unmanaged<byte*, nuint, ulong> FrameContentSize;
    private static readonly delegate* unmanaged<nuint, uint> IsError;
    private static readonly delegate* unmanaged<nuint, byte*> ErrorName;

    [ThreadStatic] private static Context? t_decompression;
    [ThreadStatic] private static Context? t_compression;

    static NativeZstd()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("RILL_ZSTD"), "managed", StringComparison.OrdinalIgnoreCase)
            || !(NativeLibrary.TryLoad("libzstd.so.1", out nint library) || NativeLibrary.TryLoad("libzstd", out library)))
        {
            return;
        }
        try
        {
            var version = (delegate* unmanaged<uint>)NativeLibrary.GetExport(library, "ZSTD_versionNumber");
            if (version() < 10400)
            {
                return; // ZSTD_DCtx_reset and ZSTD_DCtx_setParameter are stable since 1.4.0
            }
            CreateDCtx = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "ZSTD_createDCtx");
            FreeDCtx = (delegate* unmanaged<nint, nuint>)NativeLibrary.GetExport(library, "ZSTD_freeDCtx");
            ResetDCtx = (delegate* unmanaged<nint, int, nuint>)NativeLibrary.GetExport(library, "ZSTD_DCtx_reset");
            SetDParameter = (delegate* unmanaged<nint, int, int, nuint>)NativeLibrary.GetExport(library, "ZSTD_DCtx_setParameter");
            DecompressStream = (delegate* unmanaged<nint, OutBuffer*, InBuffer*, nuint>)NativeLibrary.GetExport(library, "ZSTD_decompressStream");
            CreateCCtx = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "ZSTD_createCCtx");
            FreeCCtx = (delegate* unmanaged<nint, nuint>)NativeLibrary.GetExport(library, "ZSTD_freeCCtx");
            CompressCCtx = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, int, nuint>)NativeLibrary.GetExport(library, "ZSTD_compressCCtx");
            CompressBound = (delegate* unmanaged<nuint, nuint>)NativeLibrary.GetExport(library, "ZSTD_compressBound");
            FrameContentSize = (delegate* unmanaged<byte*, nuint, ulong>)NativeLibrary.GetExport(library, "ZSTD_getFrameContentSize");
            IsError = (delegate* unmanaged<nuint, uint>)NativeLibrary.GetExport(library, "ZSTD_isError");
            ErrorName = (delegate* unmanaged<nuint, byte*>)NativeLibrary.GetExport(library, "ZSTD_getErrorName");
            Version = $"libzstd {version() / 10000}.{version() / 100 % 100}.{version() % 100}";
            Available = true;
        }
        catch (EntryPointNotFoundException)
        {
            Available = false;
        }
    }

    /// <summary>True when the system's libzstd was loaded and is used.</summary>
    public static bool Available { get; }

    /// <summary>"libzstd 1.5.4", or null when not loaded.</summary>
    public static string? Version { get; }

    public static void Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int level)
    {
        Context context = t_compression ??= new Context(CreateCCtx(), FreeCCtx);
        nuint bound = CompressBound((nuint)input.Length);
        if (IsError(bound) != 0 || bound > int.MaxValue)
        {
            throw new CompressionException($"zstd cannot compress {input.Length} bytes at once.");
        }
        Span<byte> destination = output.GetSpan((int)bound);
        nuint written;
        fixed (byte* source = input)
        fixed (byte* target = destination)
        {
            written = CompressCCtx(context.Handle, target, (nuint)destination.Length, source, (nuint)input.Length, level);
        }
        if (IsError(written) != 0)
        {
            throw new CompressionException("zstd compression failed: " + Error(written));
        }
        output.Advance((int)written);
    }

    /// <summary>Decompresses every frame of <paramref name="input"/>; throws <see cref="CompressionException"/> past <paramref name="maxOutput"/> bytes.</summary>
    public static void Decompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        Context context = t_decompression ??= NewDecompressionContext();
        nint dctx = context.Handle;
        ResetDCtx(dctx, ResetSessionOnly);
        long total = 0;
        fixed (byte* source = input)
        {
            // Ask for the whole first frame at once when it says its size (the broker's and the Java client's
            // one-shot frames do): libzstd then writes straight into the output without a second pass.
            ulong stated = input.Length > 0 ? FrameContentSize(source, (nuint)input.Length) : 0;
            // Capped: the stated size is the sender's word, not a reason to allocate it up front.
            int step = stated is > 0 and < int.MaxValue ? (int)Math.Min(stated, Math.Min((ulong)maxOutput + 1, MaxStep)) : 128 * 1024;
            var from = new InBuffer { Source = source, Size = (nuint)input.Length, Position = 0 };
            while (true)
            {
                Span<byte> span = output.GetSpan(Math.Max(step, 64 * 1024));
                nuint consumedBefore = from.Position;
                nuint result;
                nuint produced;
                fixed (byte* target = span)
                {
                    var to = new OutBuffer { Destination = target, Size = (nuint)span.Length, Position = 0 };
                    result = DecompressStream(dctx, &to, &from);
                    produced = to.Position;
                }
                if (IsError(result) != 0)
                {
                    ResetDCtx(dctx, ResetSessionOnly);
                    throw new CompressionException("Corrupt zstd data: " + Error(result));
                }
                total += (long)produced;
                if (total > maxOutput)
                {
                    ResetDCtx(dctx, ResetSessionOnly);
                    throw new CompressionException($"zstd data decompresses to more than {maxOutput} bytes.");
                }
                output.Advance((int)produced);
                bool inputUsed = from.Position == from.Size;
                if (result == 0 && inputUsed)
                {
                    return; // the last frame is complete, flushed, and all input is used
                }
                if (inputUsed && (int)produced < span.Length)
                {
                    // Room was left and no input remains, yet the frame is not complete.
                    ResetDCtx(dctx, ResetSessionOnly);
                    throw new CompressionException("Truncated zstd frame.");
                }
                if (produced == 0 && from.Position == consumedBefore)
                {
                    ResetDCtx(dctx, ResetSessionOnly);
                    throw new CompressionException("Corrupt zstd data: no progress.");
                }
                step = 128 * 1024;
            }
        }
    }

    private static Context NewDecompressionContext()
    {
        var context = new Context(CreateDCtx(), FreeDCtx);
        SetDParameter(context.Handle, WindowLogMaxParameter, WindowLogMax);
        return context;
    }

    private static string Error(nuint code) => Marshal.PtrToStringAnsi((nint)ErrorName(code)) ?? $"error {code}";

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

    /// <summary>One thread's libzstd context, freed when the thread (and so this object) goes away.</summary>
    private sealed class Context
    {
        private readonly delegate* unmanaged<nint, nuint> _free;

        public Context(nint handle, delegate* unmanaged<nint, nuint> free)
        {
            if (handle == 0)
            {
                throw new OutOfMemoryException("libzstd could not allocate a context.");
            }
            Handle = handle;
            _free = free;
        }

        public nint Handle { get; }

        ~Context() => _free(Handle);
    }
}
