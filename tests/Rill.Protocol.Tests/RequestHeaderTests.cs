namespace Rill.Protocol.Tests;

public class RequestHeaderTests
{
    private static byte[] Write(RequestHeader header, short version)
    {
        byte[] bytes = new byte[header.ComputeSize(version)];
        var writer = new ProtocolWriter(bytes);
        header.Write(ref writer, version);
        Assert.Equal(bytes.Length, writer.Position);
        return bytes;
    }

    private static RequestHeader Read(byte[] bytes, short version)
    {
        var header = new RequestHeader();
        var reader = new ProtocolReader(bytes);
        header.Read(ref reader, version);
        Assert.Equal(0, reader.Remaining);
        return header;
    }

    [Fact]
    public void V1_null_client_id_is_int16_minus_one()
    {
        byte[] bytes =
        [
            0x00, 0x03,                      // Metadata
            0x00, 0x01,                      // v1
            0x00, 0x00, 0x00, 0x07,          // correlation_id 7
            0xFF, 0xFF,                      // client_id null
        ];
        var header = new RequestHeader { RequestApiKey = 3, RequestApiVersion = 1, CorrelationId = 7, ClientId = null };
        Assert.Equal(bytes, Write(header, 1));
        var parsed = Read(bytes, 1);
        Assert.Equal((3, 1, 7, (string?)null), (parsed.RequestApiKey, parsed.RequestApiVersion, parsed.CorrelationId, parsed.ClientId));

        header.ClientId = "";
        Assert.Equal([.. bytes[..8], 0x00, 0x00], Write(header, 1));   // empty is not null
        Assert.Equal("", Read([.. bytes[..8], 0x00, 0x00], 1).ClientId);
    }

    [Fact]
    public void V0_has_no_client_id()
    {
        var header = new RequestHeader { RequestApiKey = 7, RequestApiVersion = 0, CorrelationId = -5, ClientId = "ignored" };
        byte[] bytes = Write(header, 0);
        Assert.Equal(Convert.FromHexString("00070000FFFFFFFB"), bytes);
        Assert.Null(Read(bytes, 0).ClientId);
    }

    [Fact]
    public void V2_keeps_unknown_tagged_fields_and_writes_them_back_in_order()
    {
        byte[] bytes =
        [
            0x00, 0x03, 0x00, 0x0C,          // Metadata v12
            0x00, 0x00, 0x00, 0x09,          // correlation_id 9
            0x00, 0x01, (byte)'c',           // client_id "c": still a classic string in header v2
            0x03,                            // three tagged fields
            0x02, 0x01, 0xAA,                //   tag 2, 1 byte
            0x05, 0x00,                      //   tag 5, empty
            0x81, 0x01, 0x02, 0xBB, 0xCC,    //   tag 129 (two-byte varint), 2 bytes
        ];
        var parsed = Read(bytes, 2);
        Assert.Equal("c", parsed.ClientId);
        Assert.Equal([(2, "AA"), (5, ""), (129, "BBCC")], parsed.UnknownTaggedFields!.Select(f => (f.Tag, Convert.ToHexString(f.Data.Span))));
        Assert.Equal(bytes, Write(parsed, 2));

        // Written from scratch, too: the fields go out in list order with their lengths.
        var header = new RequestHeader { RequestApiKey = 3, RequestApiVersion = 12, CorrelationId = 9, ClientId = "c",
            UnknownTaggedFields = [new(2, new byte[] { 0xAA }), new(5, ReadOnlyMemory<byte>.Empty), new(129, new byte[] { 0xBB, 0xCC })] };
        Assert.Equal(bytes, Write(header, 2));
        Assert.Equal(bytes[..11], Write(header, 1));   // header v1 has no tag section
    }

    [Fact]
    public void V2_without_tags_ends_with_a_zero_count()
    {
        var header = new RequestHeader { RequestApiKey = 18, RequestApiVersion = 3, CorrelationId = 1, ClientId = null };
        Assert.Equal(Convert.FromHexString("0012000300000001FFFF00"), Write(header, 2));
    }

    [Theory]
    [InlineData("000300090000000900016302" + "0500" + "0200")]   // tags out of order
    [InlineData("000300090000000900016301" + "0505" + "00")]     // tag size past the end
    [InlineData("0003000900000009000263")]                       // client id past the end
    [InlineData("000300090000000900016302C328")]                 // two tags promised, the first cut short
    [InlineData("00030009000000090002C328")]                     // client id not UTF-8
    public void Malformed_v2_headers_throw_protocol_exceptions(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(bytes); new RequestHeader().Read(ref r, 2); });
    }

    [Fact]
    public void Every_truncation_of_a_v2_header_throws()
    {
        byte[] bytes = Convert.FromHexString("0003000C000000090001630302 01AA 0500 81 01 02BBCC".Replace(" ", ""));
        Read(bytes, 2);
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            byte[] part = bytes[..cut];
            Assert.Throws<ProtocolException>(() => { var r = new ProtocolReader(part); new RequestHeader().Read(ref r, 2); });
        }
    }
}
