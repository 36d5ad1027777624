using System.Buffers;
using System.Diagnostics;
using Rill.Protocol.Compression;

namespace Rill.Protocol.Tests.Compression;

public class CodecTests
{
    public static IEnumerable<object[]> CodecsAndSizes()
    {
        foreach (var codec in new[] { CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd })
        {
            foreach (int size in new[] { 0, 1, 1000, 1 << 20 })
            {
                yield return [codec, size];
            }
        }
    }

    private static byte[] Data(int size)
    {
        var random = new Random(size);
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++)
        {
            data[i] = (byte)(i % 97 < 60 ? 'a' + i % 7 : random.Next(256));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CodecsAndSizes))]
    public void Round_trip(CompressionType codec, int size)
    {
        byte[] data = Data(size);
        var compressed = new ArrayBufferWriter<byte>();
        Codecs.Compress(codec, data, compressed);
        var output = new ArrayBufferWriter<byte>();
        Codecs.Decompress(codec, compressed.WrittenSpan, output, 16 << 20);
        Assert.Equal(data, output.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Corrupt_input_and_the_size_limit_give_compression_exceptions(CompressionType codec)
    {
        byte[] data = Data(100_000);
        var compressed = new ArrayBufferWriter<byte>();
        Codecs.Compress(codec, data, compressed);
        byte[] bytes = compressed.WrittenSpan.ToArray();
        Assert.Throws<CompressionException>(() => Codecs.Decompress(codec, bytes, new ArrayBufferWriter<byte>(), 1000));
        var random = new Random(7);
        for (int i = 0; i < 50; i++)
        {
            byte[] garbage = new byte[random.Next(1, 300)];
            random.NextBytes(garbage);
            try
            {
                Codecs.Decompress(codec, garbage, new ArrayBufferWriter<byte>(), 1 << 20);
            }
            catch (CompressionException)
            {
            }
        }
    }

    public static IEnumerable<object[]> ToolsAndSizes()
    {
        foreach (var (tool, codec) in new[] { ("gzip", CompressionType.Gzip), ("lz4", CompressionType.Lz4), ("zstd", CompressionType.Zstd) })
        {
            foreach (int size in new[] { 0, 1000, 1 << 20 })
            {
                yield return [tool, codec, size];
            }
        }
    }

    /// <summary>Debian's gzip, lz4 and zstd are independent implementations; .ci/run installs lz4 and zstd.</summary>
    [Theory]
    [MemberData(nameof(ToolsAndSizes))]
    public async Task Interoperates_with_the_reference_command_line_tool(string tool, CompressionType codec, int size)
    {
        byte[] data = Data(size);
        string dir = Directory.CreateTempSubdirectory("rill-codec-").FullName;
        try
        {
            string plain = Path.Combine(dir, "plain");
            await File.WriteAllBytesAsync(plain, data);
            string suffix = tool switch { "gzip" => ".gz", "lz4" => ".lz4", _ => ".zst" };
            // lz4 writes to stdout when it is not a terminal unless given an output name.
            await Run(tool, tool == "lz4" ? ["-k", "-f", plain, plain + suffix] : ["-k", "-f", plain]);   // the tool compresses
            var ours = new ArrayBufferWriter<byte>();
            Codecs.Decompress(codec, await File.ReadAllBytesAsync(plain + suffix), ours, 2 << 20);
            Assert.Equal(data, ours.WrittenSpan.ToArray());

            var compressed = new ArrayBufferWriter<byte>();
            Codecs.Compress(codec, data, compressed);   // we compress, the tool decompresses
            string mine = Path.Combine(dir, "mine" + suffix);
            await File.WriteAllBytesAsync(mine, compressed.WrittenSpan.ToArray());
            await Run(tool, tool == "lz4" ? ["-d", "-f", mine, Path.Combine(dir, "mine")] : ["-d", "-f", mine]);
            Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(dir, "mine")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Rill writes the LZ4 frame itself: incompressible blocks are stored raw (size high bit), and the lz4 tool reads them.</summary>
    [Fact]
    public async Task Lz4_frames_with_stored_blocks_decode_here_and_with_the_lz4_tool()
    {
        byte[] data = new byte[150_000];
        new Random(3).NextBytes(data);
        var compressed = new ArrayBufferWriter<byte>();
        Codecs.Compress(CompressionType.Lz4, data, compressed);
        byte[] frame = compressed.WrittenSpan.ToArray();
        Assert.Equal([0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82], frame[..7]);
        Assert.Equal(0x8000_0000u | 65536u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(7)));
        var output = new ArrayBufferWriter<byte>();
        Codecs.Decompress(CompressionType.Lz4, frame, output, 1 << 20);
        Assert.Equal(data, output.WrittenSpan.ToArray());

        string dir = Directory.CreateTempSubdirectory("rill-codec-").FullName;
        try
        {
            string mine = Path.Combine(dir, "mine.lz4");
            await File.WriteAllBytesAsync(mine, frame);
            await Run("lz4", "-d", "-f", mine, Path.Combine(dir, "mine"));
            Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(dir, "mine")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Frames of independent blocks without checksums take Rill's block-level reader: the lz4 tool writes them with each block size.</summary>
    [Theory]
    [InlineData("-B4")]
    [InlineData("-B5")]
    [InlineData("-B7")]
    public async Task Lz4_frames_the_tool_writes_without_checksums_decode_block_by_block(string blockSize)
    {
        byte[] data = Data(3 << 20);
        string dir = Directory.CreateTempSubdirectory("rill-codec-").FullName;
        try
        {
            string plain = Path.Combine(dir, "plain");
            await File.WriteAllBytesAsync(plain, data);
            await Run("lz4", "-k", "-f", blockSize, "-BI", "--no-frame-crc", plain, plain + ".lz4");
            byte[] frame = await File.ReadAllBytesAsync(plain + ".lz4");
            Assert.Equal(0x60, frame[4] & 0xF4);   // independent blocks, no block or content checksum
            var ours = new ArrayBufferWriter<byte>();
            Codecs.Decompress(CompressionType.Lz4, frame, ours, 4 << 20);
            Assert.Equal(data, ours.WrittenSpan.ToArray());
            Assert.Throws<CompressionException>(() => Codecs.Decompress(CompressionType.Lz4, frame, new ArrayBufferWriter<byte>(), data.Length - 1));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"'{tool}' is not installed (apt-get install lz4 zstd; bash .ci/run does).");
        }
        using (process)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(cts.Token);
            Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)}: {await process.StandardError.ReadToEndAsync()}");
        }
    }
}
