using Rill.Protocol.Records;

namespace Rill.Protocol.Tests;

/// <summary>Wire primitives: exact bytes of each type from the Kafka protocol guide, and their edge cases.</summary>
public class PrimitiveTests
{
    private delegate void WriteAction(ref ProtocolWriter writer);

    private static byte[] Bytes(int size, WriteAction write)
    {
        byte[] buffer = new byte[size];
        var writer = new ProtocolWriter(buffer);
        write(ref writer);
        Assert.Equal(size, writer.Position);
        return buffer;
    }

    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(63, new byte[] { 0x7E })]
    [InlineData(-64, new byte[] { 0x7F })]                                 // zigzag 127: the last one-byte value
    [InlineData(64, new byte[] { 0x80, 0x01 })]                            // zigzag 128: the first two-byte value
    [InlineData(-65, new byte[] { 0x81, 0x01 })]
    [InlineData(8191, new byte[] { 0xFE, 0x7F })]
    [InlineData(8192, new byte[] { 0x80, 0x80, 0x01 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Zigzag_varints_have_the_exact_bytes(int value, byte[] expected)
    {
        Assert.Equal(expected.Length, ProtocolSizes.VarInt(value));
        Assert.Equal(expected, Bytes(expected.Length, (ref ProtocolWriter w) => w.WriteVarInt(value)));
        var reader = new ProtocolReader(expected);
        Assert.Equal(value, reader.ReadVarInt());
        Assert.Equal(0, reader.Remaining);

        // The record-level varint code (no exceptions, used by the batch walker) agrees.
        Assert.Equal(expected.Length, Varint.SizeOf(value));
        byte[] viaRecords = new byte[10];
        Assert.Equal(expected.Length, Varint.Write(viaRecords, value));
        Assert.Equal(expected, viaRecords[..expected.Length]);
        int position = 0;
        Assert.True(Varint.TryReadVarInt(expected, ref position, out int back));
        Assert.Equal((value, expected.Length), (back, position));
    }

    [Theory]
    [InlineData(0u, new byte[] { 0x00 })]
    [InlineData(127u, new byte[] { 0x7F })]
    [InlineData(128u, new byte[] { 0x80, 0x01 })]
    [InlineData(300u, new byte[] { 0xAC, 0x02 })]
    [InlineData(16383u, new byte[] { 0xFF, 0x7F })]
    [InlineData(16384u, new byte[] { 0x80, 0x80, 0x01 })]
    [InlineData(uint.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Unsigned_varints_have_the_exact_bytes(uint value, byte[] expected)
    {
        Assert.Equal(expected.Length, ProtocolSizes.UnsignedVarInt(value));
        Assert.Equal(expected, Bytes(expected.Length, (ref ProtocolWriter w) => w.WriteUnsignedVarInt(value)));
        var reader = new ProtocolReader(expected);
        Assert.Equal(value, reader.ReadUnsignedVarInt());
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(-1L, "01")]
    [InlineData(-300L, "D704")]
    [InlineData((long)int.MaxValue + 1, "8080808010")]
    [InlineData(long.MaxValue, "FEFFFFFFFFFFFFFFFF01")]
    [InlineData(long.MinValue, "FFFFFFFFFFFFFFFFFF01")]
    public void Varlongs_have_the_exact_bytes(long value, string hex)
    {
        byte[] expected = Convert.FromHexString(hex);
        Assert.Equal(expected.Length, ProtocolSizes.VarLong(value));
        Assert.Equal(expected, Bytes(expected.Length, (ref ProtocolWriter w) => w.WriteVarLong(value)));
        var reader = new ProtocolReader(expected);
        Assert.Equal(value, reader.ReadVarLong());
        int position = 0;
        Assert.True(Varint.TryReadVarLong(expected, ref position, out long back));
        Assert.Equal(value, back);
    }

    public static IEnumerable<object[]> BadVarints() =>
    [
        ["80"],                       // continuation bit, then nothing
        ["FFFF"],
        ["FFFFFFFF"],
        ["FFFFFFFF10"],               // fifth byte sets bits above 32
        ["FFFFFFFF8F01"],             // six bytes
        ["808080808000"],             // six bytes even though the value is small
    ];

    [Theory]
    [MemberData(nameof(BadVarints))]
    public void Overlong_or_truncated_varints_throw_protocol_exceptions(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(bytes); r.ReadUnsignedVarInt(); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(bytes); r.ReadVarInt(); });
    }

    [Fact]
    public void Overlong_varlongs_throw_protocol_exceptions()
    {
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(Convert.FromHexString("FFFFFFFFFFFFFFFFFF02")); r.ReadVarLong(); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(Convert.FromHexString("8080808080808080808000")); r.ReadVarLong(); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(Convert.FromHexString("FFFFFFFF")); r.ReadVarLong(); });
        int position = 0;
        Assert.False(Varint.TryReadVarLong(Convert.FromHexString("8080808080808080808000"), ref position, out _));
        position = 0;
        Assert.False(Varint.TryReadVarInt(Convert.FromHexString("8080808010"), ref position, out _));   // 2^31 zigzag-decoded is past int
    }

    [Fact]
    public void Fixed_width_integers_are_big_endian()
    {
        byte[] bytes = Bytes(1 + 1 + 2 + 2 + 4 + 4 + 8 + 8, (ref ProtocolWriter w) =>
        {
            w.WriteBoolean(true);
            w.WriteInt8(-2);
            w.WriteInt16(0x0102);
            w.WriteUInt16(0xFFFE);
            w.WriteInt32(-2);
            w.WriteUInt32(0x01020304);
            w.WriteInt64(0x0102030405060708);
            w.WriteFloat64(1.0);
        });
        Assert.Equal(Convert.FromHexString("01FE" + "0102" + "FFFE" + "FFFFFFFE" + "01020304" + "0102030405060708" + "3FF0000000000000"), bytes);
        var r = new ProtocolReader(bytes);
        Assert.Equal((true, (sbyte)-2, (short)0x0102, (ushort)0xFFFE, -2, 0x01020304u, 0x0102030405060708L, 1.0),
            (r.ReadBoolean(), r.ReadInt8(), r.ReadInt16(), r.ReadUInt16(), r.ReadInt32(), r.ReadUInt32(), r.ReadInt64(), r.ReadFloat64()));
    }

    [Fact]
    public void Classic_and_compact_null_and_empty_are_distinct()
    {
        byte[] bytes = Bytes(2 + 2 + 4 + 4 + 4 + 4 + 1 + 1 + 1 + 1 + 1 + 1, (ref ProtocolWriter w) =>
        {
            w.WriteNullableString(null, compact: false);
            w.WriteNullableString("", compact: false);
            w.WriteNullableBytes(null, compact: false);
            w.WriteNullableBytes(ReadOnlyMemory<byte>.Empty, compact: false);
            w.WriteArrayLength(-1, compact: false);
            w.WriteArrayLength(0, compact: false);
            w.WriteNullableString(null, compact: true);
            w.WriteNullableString("", compact: true);
            w.WriteNullableBytes(null, compact: true);
            w.WriteNullableBytes(ReadOnlyMemory<byte>.Empty, compact: true);
            w.WriteArrayLength(-1, compact: true);
            w.WriteArrayLength(0, compact: true);
        });
        Assert.Equal(Convert.FromHexString("FFFF" + "0000" + "FFFFFFFF" + "00000000" + "FFFFFFFF" + "00000000" + "00" + "01" + "00" + "01" + "00" + "01"), bytes);
        var r = new ProtocolReader(bytes);
        Assert.Null(r.ReadNullableString(compact: false));
        Assert.Equal("", r.ReadNullableString(compact: false));
        Assert.Null(r.ReadNullableBytes(compact: false));
        Assert.Equal(0, r.ReadNullableBytes(compact: false)!.Value.Length);
        Assert.Equal(-1, r.ReadArrayLength(compact: false));
        Assert.Equal(0, r.ReadArrayLength(compact: false));
        Assert.Null(r.ReadNullableString(compact: true));
        Assert.Equal("", r.ReadString(compact: true));
        Assert.Null(r.ReadNullableBytes(compact: true));
        Assert.Equal(0, r.ReadBytes(compact: true).Length);
        Assert.Equal(-1, r.ReadArrayLength(compact: true));
        Assert.Equal(0, r.ReadArrayLength(compact: true));
        Assert.Equal(0, r.Remaining);
    }

    [Fact]
    public void String_lengths_count_utf8_bytes()
    {
        // "é€" is two characters but five UTF-8 bytes (C3 A9, E2 82 AC).
        Assert.Equal(Convert.FromHexString("06C3A9E282AC"), Bytes(6, (ref ProtocolWriter w) => w.WriteString("é€", compact: true)));
        Assert.Equal(Convert.FromHexString("0005C3A9E282AC"), Bytes(7, (ref ProtocolWriter w) => w.WriteString("é€", compact: false)));
        var r = new ProtocolReader(Convert.FromHexString("06C3A9E282AC"));
        Assert.Equal("é€", r.ReadString(compact: true));
    }

    [Fact]
    public void Non_nullable_reads_of_null_throw_protocol_exceptions()
    {
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[] { 0xFF, 0xFF }); r.ReadString(compact: false); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[] { 0x00 }); r.ReadString(compact: true); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }); r.ReadBytes(compact: false); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[] { 0x00 }); r.ReadBytes(compact: true); });
    }

    [Fact]
    public void Uuid_is_written_most_significant_long_first()
    {
        // Kafka writes a UUID as two int64s, most significant first: the bytes read like the text form.
        var id = Guid.Parse("01234567-89ab-cdef-fedc-ba9876543210");
        byte[] bytes = Bytes(16, (ref ProtocolWriter w) => w.WriteUuid(id));
        Assert.Equal(Convert.FromHexString("0123456789ABCDEFFEDCBA9876543210"), bytes);
        var reader = new ProtocolReader(bytes);
        Assert.Equal(id, reader.ReadUuid());

        byte[] counting = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var r2 = new ProtocolReader(counting);
        Assert.Equal(Guid.Parse("00010203-0405-0607-0809-0a0b0c0d0e0f"), r2.ReadUuid());
        Assert.Equal(new byte[16], Bytes(16, (ref ProtocolWriter w) => w.WriteUuid(Guid.Empty)));
    }

    public static IEnumerable<object[]> MalformedStrings() =>
    [
        ["FFFE", false],                   // int16 length -2
        ["8000", false],                   // int16 length -32768
        ["0005" + "61", false],            // 5 bytes promised, 1 present
        ["0002" + "C328", false],          // invalid UTF-8 continuation
        ["0002" + "C080", false],          // overlong encoding of NUL
        ["0003" + "EDA080", false],        // UTF-16 surrogate encoded in UTF-8
        ["0002" + "E282", false],          // multi-byte sequence cut short
        ["00", false],                     // truncated length
        ["", false],                       // nothing at all
        ["06" + "6161", true],             // compact: 5 bytes promised, 2 present
        ["FFFFFFFF0F", true],              // compact length uint.MaxValue
        ["808080808001", true],            // compact length as a six-byte varint
        ["03" + "C328", true],             // compact, invalid UTF-8
    ];

    [Theory]
    [MemberData(nameof(MalformedStrings))]
    public void Malformed_strings_throw_protocol_exceptions(string hex, bool compact)
    {
        byte[] bytes = Convert.FromHexString(hex);
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(bytes); r.ReadNullableString(compact); });
    }

    public static IEnumerable<object[]> MalformedBytes() =>
    [
        ["FFFFFFFE", false],               // int32 length -2
        ["80000000", false],               // int32.MinValue
        ["7FFFFFFF" + "00", false],        // int32.MaxValue promised
        ["00000002" + "00", false],
        ["000000", false],
        ["03" + "00", true],
        ["FFFFFFFF07", true],              // compact 2^31 - 1 + 1
    ];

    [Theory]
    [MemberData(nameof(MalformedBytes))]
    public void Malformed_bytes_throw_protocol_exceptions(string hex, bool compact)
    {
        byte[] bytes = Convert.FromHexString(hex);
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(bytes); r.ReadNullableBytes(compact); });
    }

    [Theory]
    [InlineData("FFFFFFFE", false)]        // -2
    [InlineData("80000000", false)]        // int32.MinValue
    [InlineData("7FFFFFFF", false)]        // more elements than bytes: refused before allocating a list
    [InlineData("00000005" + "000000", false)]
    [InlineData("FFFFFFFF0F", true)]
    [InlineData("0A" + "00", true)]
    [InlineData("FFFF", false)]            // truncated length
    public void Bad_array_lengths_throw_protocol_exceptions(string hex, bool compact)
    {
        byte[] bytes = Convert.FromHexString(hex);
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(bytes); r.ReadArrayLength(compact); });
    }

    [Fact]
    public void Every_fixed_width_read_past_the_end_throws_a_protocol_exception()
    {
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(Array.Empty<byte>()); r.ReadBoolean(); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[1]); r.ReadInt16(); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[3]); r.ReadInt32(); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[7]); r.ReadInt64(); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[15]); r.ReadUuid(); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[7]); r.ReadFloat64(); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[3]); r.ReadRaw(4); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[3]); r.ReadRaw(-1); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[3]); r.Sub(4); });
    }

    [Fact]
    public void Strings_longer_than_an_int16_length_refuse_to_be_written_classic()
    {
        string big = new('a', short.MaxValue + 1);
        byte[] buffer = new byte[ProtocolSizes.NullableString(big, compact: true)];
        Assert.Throws<InvalidOperationException>(() => { var w = new ProtocolWriter(new byte[big.Length + 2]); w.WriteString(big, compact: false); });
        var ok = new ProtocolWriter(buffer);
        ok.WriteString(big, compact: true);
        Assert.Equal(buffer.Length, ok.Position);
    }

    [Theory]
    [InlineData("02" + "00" + "00" + "00" + "00")]          // tag 0 twice
    [InlineData("02" + "05" + "00" + "01" + "00")]          // tag 5 then tag 1: out of order
    [InlineData("01" + "00" + "05" + "00")]                 // size 5, one byte present
    [InlineData("05" + "00" + "00")]                        // five fields promised
    [InlineData("01" + "FFFFFFFF0F" + "00")]                // tag past int
    [InlineData("01")]                                      // truncated
    public void Malformed_tag_sections_throw_protocol_exceptions(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(bytes); TaggedFields.ReadAll(ref r); });
    }
}
