using Rill.Protocol.Records;

namespace Rill.Protocol.Tests.Records;

/// <summary>
/// The record varint reader's inline one- and two-byte forms against the writer, at every value around their
/// edges, at a non-zero position, and cut short (a truncated varint must fail, never read past the span).
/// </summary>
public class VarintFastPathTests
{
    public static TheoryData<long> Values()
    {
        var data = new TheoryData<long>();
        foreach (long v in new long[] { 0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, -8193, 1_000_000, -1_000_000,
            int.MaxValue, int.MinValue, (long)int.MaxValue + 1, long.MaxValue, long.MinValue })
        {
            data.Add(v);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void Reads_what_the_writer_wrote_at_an_offset(long value)
    {
        byte[] buffer = new byte[3 + 10 + 2];
        buffer[0] = buffer[1] = buffer[2] = 0xAA;
        int size = Varint.Write(buffer.AsSpan(3), value);
        buffer[3 + size] = 0x80; // garbage after the varint must not be read

        int position = 3;
        Assert.True(Varint.TryReadVarLong(buffer, ref position, out long wide));
        Assert.Equal((value, 3 + size), (wide, position));

        position = 3;
        bool fits = value is >= int.MinValue and <= int.MaxValue;
        Assert.Equal(fits, Varint.TryReadVarInt(buffer, ref position, out int narrow));
        if (fits) Assert.Equal(((int)value, 3 + size), (narrow, position));

        // Every cut inside the varint fails.
        for (int cut = 3; cut < 3 + size; cut++)
        {
            position = 3;
            Assert.False(Varint.TryReadVarLong(buffer.AsSpan(0, cut), ref position, out _));
            position = 3;
            Assert.False(Varint.TryReadVarInt(buffer.AsSpan(0, cut), ref position, out _));
        }
    }

    [Fact]
    public void Every_one_and_two_byte_value_round_trips()
    {
        byte[] buffer = new byte[10];
        for (int value = -8192; value <= 8191; value++)
        {
            int size = Varint.Write(buffer, value);
            Assert.True(size <= 2);
            int position = 0;
            Assert.True(Varint.TryReadVarInt(buffer.AsSpan(0, size), ref position, out int back));
            Assert.Equal((value, size), (back, position));
        }
    }

    [Fact]
    public void A_position_at_or_past_the_end_fails()
    {
        byte[] one = [0x02];
        int position = 1;
        Assert.False(Varint.TryReadVarInt(one, ref position, out _));
        position = 5;
        Assert.False(Varint.TryReadVarLong(one, ref position, out _));
    }
}
