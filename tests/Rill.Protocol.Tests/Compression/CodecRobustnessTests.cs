using System.Buffers;
using Rill.Protocol.Compression;

namespace Rill.Protocol.Tests.Compression;

/// <summary>Hostile compressed input: every codec fails with CompressionException, bounded by the size limit.</summary>
public class CodecRobustnessTests
{
    public static TheoryData<CompressionType> AllCodecs() => new() { CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd };

    private static byte[] Compress(CompressionType codec, byte[] data)
    {
        var output = new ArrayBufferWriter<byte>();
        Codecs.Compress(codec, data, output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Text(int size) => Enumerable.Range(0, size).Select(i => (byte)"the quick brown fox "[i % 20]).ToArray();

    private static void DecompressOrCompressionException(CompressionType codec, byte[] input, string what)
    {
        Exception? error = Record.Exception(() => Codecs.Decompress(codec, input, new ArrayBufferWriter<byte>(), 1 << 20));
        Assert.True(error is null or CompressionException, $"{codec} {what}: {error}");
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void The_size_limit_is_exact(CompressionType codec)
    {
        byte[] data = Text(200_000);
        byte[] compressed = Compress(codec, data);
        var output = new ArrayBufferWriter<byte>();
        Codecs.Decompress(codec, compressed, output, data.Length);
        Assert.Equal(data, output.WrittenSpan.ToArray());
        Assert.Throws<CompressionException>(() => Codecs.Decompress(codec, compressed, new ArrayBufferWriter<byte>(), data.Length - 1));
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void A_highly_compressible_bomb_stops_at_the_limit(CompressionType codec)
    {
        byte[] zeros = new byte[64 << 20];    // 64 MiB of zeros compresses to a few KiB (snappy: a few MiB)
        byte[] compressed = Compress(codec, zeros);
        Assert.True(compressed.Length < zeros.Length / 10);
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<CompressionException>(() => Codecs.Decompress(codec, compressed, output, 1 << 20));
        Assert.True(output.WrittenCount <= 1 << 20, $"{output.WrittenCount} bytes written past a 1 MiB limit");
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Every_truncation_fails_cleanly(CompressionType codec)
    {
        byte[] data = Text(3000);
        byte[] compressed = Compress(codec, data);
        for (int cut = 0; cut < compressed.Length; cut++)
        {
            byte[] part = compressed[..cut];
            var output = new ArrayBufferWriter<byte>();
            Exception? error = Record.Exception(() => Codecs.Decompress(codec, part, output, 1 << 20));
            Assert.True(error is null or CompressionException, $"{codec} cut at {cut}: {error}");
            if (error is null && cut > 0)
            {
                // A codec may stop at a block boundary without noticing; what it gives must then be a prefix.
                Assert.True(data.AsSpan().StartsWith(output.WrittenSpan), $"{codec} cut at {cut} produced bytes that are not a prefix");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Every_byte_overwrite_decompresses_or_throws_a_compression_exception(CompressionType codec)
    {
        byte[] compressed = Compress(codec, Text(3000));
        foreach (byte value in new byte[] { 0x00, 0xFF, 0x80 })
        {
            for (int i = 0; i < compressed.Length; i++)
            {
                byte[] bad = (byte[])compressed.Clone();
                bad[i] = value;
                DecompressOrCompressionException(codec, bad, $"byte {i} = {value:X2}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Random_garbage_throws_compression_exceptions(CompressionType codec)
    {
        var random = new Random(12345);
        for (int i = 0; i < 300; i++)
        {
            byte[] garbage = new byte[random.Next(0, 400)];
            random.NextBytes(garbage);
            DecompressOrCompressionException(codec, garbage, $"garbage #{i}");
        }
    }

    [Fact]
    public void Unknown_codecs_throw_compression_exceptions()
    {
        Assert.Throws<CompressionException>(() => Codecs.Compress((CompressionType)5, [1, 2], new ArrayBufferWriter<byte>()));
        Assert.Throws<CompressionException>(() => Codecs.Decompress((CompressionType)7, [1, 2], new ArrayBufferWriter<byte>(), 100));
    }

    [Fact]
    public void Hand_built_snappy_block_and_xerial_frame_decode()
    {
        // Raw snappy block (the format's spec): varint uncompressed length, then a literal tag
        // ((length - 1) << 2) and the bytes; then a copy of 4 bytes at offset 3 (tag 01, len-4 in bits 2-4).
        byte[] block = [0x07, 0x08, (byte)'a', (byte)'b', (byte)'c', 0x01, 0x03];
        var raw = new ArrayBufferWriter<byte>();
        Codecs.Decompress(CompressionType.Snappy, block, raw, 100);
        Assert.Equal("abcabca"u8.ToArray(), raw.WrittenSpan.ToArray());

        // Xerial framing as the Java client writes it: magic, version 1, compatible version 1, then [int32 length][block] chunks.
        byte[] xerial =
        [
            0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0x00,
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
            0x00, 0x00, 0x00, 0x07, .. block,
            0x00, 0x00, 0x00, 0x03, 0x01, 0x00, (byte)'z',  // second chunk: length 1, literal of 1
        ];
        var framed = new ArrayBufferWriter<byte>();
        Codecs.Decompress(CompressionType.Snappy, xerial, framed, 100);
        Assert.Equal("abcabcaz"u8.ToArray(), framed.WrittenSpan.ToArray());
        Assert.Throws<CompressionException>(() => Codecs.Decompress(CompressionType.Snappy, xerial, new ArrayBufferWriter<byte>(), 7));

        // And what we write is that framing, in chunks a Java reader accepts.
        byte[] ours = Compress(CompressionType.Snappy, "abcabcaz"u8.ToArray());
        Assert.Equal(xerial[..16], ours[..16]);
    }

    [Fact]
    public void A_snappy_block_claiming_a_huge_length_is_refused()
    {
        // Varint length 0x7FFFFFF0 followed by a 1-byte literal: decoding must not trust the claim.
        byte[] block = [0xF0, 0xFF, 0xFF, 0xFF, 0x07, 0x00, (byte)'a'];
        Assert.Throws<CompressionException>(() => Codecs.Decompress(CompressionType.Snappy, block, new ArrayBufferWriter<byte>(), 1 << 20));
        byte[] xerial = [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0x00, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, .. block];
        Assert.Throws<CompressionException>(() => Codecs.Decompress(CompressionType.Snappy, xerial, new ArrayBufferWriter<byte>(), 1 << 20));

        // A claim of 512 MiB under a 1 MiB limit must not allocate the 512 MiB first.
        byte[] claim512 = [0x80, 0x80, 0x80, 0x80, 0x02, 0x00, (byte)'a'];
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<CompressionException>(() => Codecs.Decompress(CompressionType.Snappy, claim512, new ArrayBufferWriter<byte>(), 1 << 20));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the claimed length was allocated");
    }
}
