using Rill.Broker.Topics;

namespace Rill.Broker.Tests;

public class ConsumerOffsetsLogTests
{
    [Theory]
    [InlineData("a", 50, 47)]                 // "a".hashCode() == 97
    [InlineData("ab", 50, 3105 % 50)]         // 31 * 97 + 98
    [InlineData("", 50, 0)]
    public void Group_partition_follows_javas_string_hash(string group, int partitions, int expected)
        => Assert.Equal(expected, ConsumerOffsetsLog.PartitionFor(group, partitions));

    [Fact]
    public void Negative_hashes_use_the_absolute_value()
    {
        // "polygenelubricants".hashCode() == int.MinValue: Kafka's Utils.abs maps it to 0.
        Assert.Equal(0, ConsumerOffsetsLog.PartitionFor("polygenelubricants", 50));
    }
}
