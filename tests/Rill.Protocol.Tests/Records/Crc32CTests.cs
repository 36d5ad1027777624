using System.Text;
using Rill.Protocol.Records;

namespace Rill.Protocol.Tests.Records;

/// <summary>
/// CRC-32C against a bit-at-a-time reference, on every length around the boundaries where the carry-less folding
/// starts and ends and where the three interleaved chains (the path of CPUs without carry-less multiplies) are cut
/// and joined, and at unaligned starts.
/// </summary>
public class Crc32CTests
{
    /// <summary>CRC-32C one bit at a time (reflected polynomial 0x82F63B78): slow and obviously right.</summary>
    private static uint Reference(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }
        return ~crc;
    }

    [Fact]
    public void Known_vectors()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32])); // RFC 3720 B.4: 32 bytes of zeros
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Theory]
    [InlineData(0, 1000)]                 // below the folding and the short blocks, and the first rounds of both
    [InlineData(3 * 256 - 40, 3 * 256 + 40)]
    [InlineData(3 * 8192 - 20, 3 * 8192 + 20)] // one long round, with and without short rounds and tail
    [InlineData(2 * 3 * 8192 - 9, 2 * 3 * 8192 + 9)]
    public void Matches_the_reference_at_every_length(int from, int to)
    {
        var random = new Random(from);
        byte[] data = new byte[to + 7];
        random.NextBytes(data);
        for (int length = from; length <= to; length++)
        {
            int start = length % 8; // unaligned starts too
            ReadOnlySpan<byte> slice = data.AsSpan(start, length);
            uint expected = Reference(slice);
            Assert.True(expected == Crc32C.Compute(slice), $"length {length} at {start}");
            Assert.True(expected == Crc32C.ComputeWithoutFolding(slice), $"length {length} at {start}, without folding");
        }
    }

    [Fact]
    public void Matches_the_reference_on_a_large_batch_with_a_flipped_bit_detected()
    {
        var random = new Random(16);
        byte[] data = new byte[1_000_003];
        random.NextBytes(data);
        uint crc = Crc32C.Compute(data);
        Assert.Equal(Reference(data), crc);
        Assert.Equal(crc, Crc32C.ComputeWithoutFolding(data));
        data[500_000] ^= 0x10;
        Assert.NotEqual(crc, Crc32C.Compute(data));
        Assert.Equal(Reference(data), Crc32C.Compute(data));
        Assert.Equal(Reference(data), Crc32C.ComputeWithoutFolding(data));
    }
}
