namespace Rill.Protocol.Tests;

public class PrimitiveTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(63, new byte[] { 0x7E })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(-65, new byte[] { 0x81, 0x01 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Zigzag_varints_have_the_exact_bytes(int value, byte[] expected)
    {
        byte[] buffer = new byte[ProtocolSizes.VarInt(value)];
        var writer = new ProtocolWriter(buffer);
        writer.WriteVarInt(value);
        Assert.Equal(expected, buffer);
        var reader = new ProtocolReader(buffer);
        Assert.Equal(value, reader.ReadVarInt());
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(0L)]
    [InlineData(-300L)]
    public void Varlongs_round_trip(long value)
    {
        byte[] buffer = new byte[ProtocolSizes.VarLong(value)];
        var writer = new ProtocolWriter(buffer);
        writer.WriteVarLong(value);
        var reader = new ProtocolReader(buffer);
        Assert.Equal(value, reader.ReadVarLong());
    }

    [Fact]
    public void Compact_null_and_empty_differ()
    {
        byte[] buffer = new byte[4];
        var writer = new ProtocolWriter(buffer);
        writer.WriteNullableString(null, compact: true);
        writer.WriteNullableString("", compact: true);
        writer.WriteArrayLength(-1, compact: true);
        writer.WriteArrayLength(0, compact: true);
        Assert.Equal(new byte[] { 0, 1, 0, 1 }, buffer);
        var reader = new ProtocolReader(buffer);
        Assert.Null(reader.ReadNullableString(compact: true));
        Assert.Equal("", reader.ReadString(compact: true));
    }

    [Fact]
    public void Uuid_is_written_most_significant_byte_first()
    {
        var id = Guid.Parse("01234567-89ab-cdef-0123-456789abcdef");
        byte[] buffer = new byte[16];
        var writer = new ProtocolWriter(buffer);
        writer.WriteUuid(id);
        Assert.Equal(Convert.FromHexString("0123456789ABCDEF0123456789ABCDEF"), buffer);
        var reader = new ProtocolReader(buffer);
        Assert.Equal(id, reader.ReadUuid());
    }

    public static IEnumerable<object[]> Malformed() =>
    [
        [new byte[] { 0xFF, 0xFE }],                       // string length -2
        [new byte[] { 0x00, 0x05, (byte)'a' }],            // string past the end
        [new byte[] { 0x00, 0x02, 0xC3, 0x28 }],           // invalid UTF-8
        [new byte[] { 0x00 }],                             // truncated length
    ];

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_strings_throw_protocol_exceptions(byte[] bytes)
    {
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(bytes); r.ReadNullableString(compact: false); });
    }

    [Fact]
    public void Overlong_varint_and_huge_array_lengths_are_refused_before_allocating()
    {
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }); r.ReadUnsignedVarInt(); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF }); r.ReadArrayLength(compact: false); });
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(new byte[] { 0xFF, 0xFF, 0xFF, 0xFE }); r.ReadArrayLength(compact: false); });
    }

    [Fact]
    public void Every_truncation_of_a_valid_message_throws_only_protocol_exceptions()
    {
        var request = new Messages.MetadataRequest { Topics = [new() { Name = "topic-a" }, new() { Name = "topic-b" }] };
        foreach (short version in new short[] { 1, 9, 12 })
        {
            byte[] whole = new byte[request.ComputeSize(version)];
            var writer = new ProtocolWriter(whole);
            request.Write(ref writer, version);
            for (int cut = 0; cut < whole.Length; cut++)
            {
                byte[] part = whole[..cut];
                Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(part); new Messages.MetadataRequest().Read(ref r, version); });
            }
        }
    }
}
