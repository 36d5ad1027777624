using System.Buffers;
using Rill.Protocol.Compression;
using ZstdSharp;

namespace Rill.Protocol.Tests.Compression;

/// <summary>
/// The system's libzstd (<see cref="NativeZstd"/>) and the managed port (ZstdSharp) behind <see cref="Codecs"/>:
/// the same bytes out for the same frames, each reads the other's frames, and bad input is a
/// <see cref="CompressionException"/> from both, never a crash.
/// </summary>
public class NativeZstdTests
{
    private static byte[] Text(int size, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, size).Select(i => i % 97 < 60 ? (byte)"the quick brown fox "[i % 20] : (byte)random.Next(256)).ToArray();
    }

    private static byte[] Native(byte[] compressed, int max = 64 << 20)
    {
        var output = new ArrayBufferWriter<byte>();
        NativeZstd.Decompress(compressed, output, max);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Managed(byte[] compressed, int max = 64 << 20)
    {
        var output = new ArrayBufferWriter<byte>();
        Zstd.DecompressManaged(compressed, output, max);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] CompressNative(byte[] data)
    {
        var output = new ArrayBufferWriter<byte>();
        NativeZstd.Compress(data, output, 3);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] CompressManaged(byte[] data)
    {
        var output = new ArrayBufferWriter<byte>();
        Zstd.CompressManaged(data, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A frame without its content size, as a streaming writer (the Java client's) leaves it out.</summary>
    private static byte[] StreamingFrame(byte[] data)
    {
        using var memory = new MemoryStream();
        using (var stream = new CompressionStream(memory, 3))
        {
            for (int i = 0; i < data.Length; i += 7000)
            {
                stream.Write(data, i, Math.Min(7000, data.Length - i));
            }
        }
        return memory.ToArray();
    }

    [Fact]
    public void The_system_libzstd_is_loaded_and_used()
    {
        // libzstd.so.1 is part of Debian's base system (libzstd1), so CI has it.
        Assert.True(NativeZstd.Available, "libzstd.so.1 did not load");
        Assert.StartsWith("libzstd 1.", Codecs.ZstdImplementation);
    }

    public static TheoryData<int> Sizes() => new() { 1, 100, 65_536, 200_000, 1_500_000, 5_000_000 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Both_decompress_each_others_frames_to_identical_bytes(int size)
    {
        byte[] data = Text(size, size);
        foreach (byte[] frame in new[] { CompressNative(data), CompressManaged(data), StreamingFrame(data) })
        {
            Assert.Equal(data, Native(frame));
            Assert.Equal(data, Managed(frame));
        }
    }

    [Fact]
    public void Concatenated_frames_and_empty_frames_decompress_alike()
    {
        byte[] a = Text(300_000, 2), b = Text(70_000, 3);
        byte[] frames = [.. CompressNative(a), .. CompressManaged([]), .. StreamingFrame(b), .. CompressNative([])];
        Assert.Equal([.. a, .. b], Native(frames));
        Assert.Equal(Managed(frames), Native(frames));
        Assert.Empty(Native(CompressManaged([])));
    }

    [Fact]
    public void The_size_limit_is_exact_on_both_paths()
    {
        byte[] data = Text(200_000);
        foreach (byte[] frame in new[] { CompressNative(data), StreamingFrame(data) })
        {
            Assert.Equal(data, Native(frame, data.Length));
            Assert.Throws<CompressionException>(() => Native(frame, data.Length - 1));
            Assert.Throws<CompressionException>(() => Managed(frame, data.Length - 1));
        }
    }

    [Fact]
    public void Corrupt_and_truncated_input_is_a_compression_exception_on_both_paths_and_the_context_stays_usable()
    {
        byte[] data = Text(5_000);
        byte[] frame = CompressNative(data);
        for (int cut = 0; cut < frame.Length; cut++)
        {
            Assert.Throws<CompressionException>(() => Native(frame[..cut]));
            Assert.Throws<CompressionException>(() => Managed(frame[..cut]));
        }
        int bothFailed = 0;
        for (int i = 0; i < frame.Length; i++)
        {
            byte[] bad = (byte[])frame.Clone();
            bad[i] ^= 0x5A;
            Exception? native = Record.Exception(() => Native(bad));
            Exception? managed = Record.Exception(() => Managed(bad));
            Assert.True(native is null or CompressionException, $"native, byte {i}: {native}");
            Assert.True(managed is null or CompressionException, $"managed, byte {i}: {managed}");
            if (native is null && managed is null)
            {
                Assert.Equal(Managed(bad), Native(bad)); // both accepted it: then they agree on what it says
            }
            bothFailed += native is not null && managed is not null ? 1 : 0;
        }
        Assert.True(bothFailed > 0); // no checksum in these frames: a flipped literal byte decodes to other bytes
        CompressionException garbage = Assert.Throws<CompressionException>(() => Native([0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 1, 2, 3]));
        Assert.StartsWith("Corrupt zstd data", garbage.Message);
        Assert.Equal(data, Native(frame)); // the thread's reused context recovered from every error
    }
}
