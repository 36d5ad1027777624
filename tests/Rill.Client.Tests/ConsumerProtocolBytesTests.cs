using Rill.Client.Consuming;

namespace Rill.Client.Tests;

/// <summary>
/// The consumer protocol's Subscription and Assignment as bytes: what this client writes (pinned
/// from the hand-written encoder the generated types replaced) and what it must read from others,
/// including versions newer than it knows and kafkajs's version 1 without owned partitions.
/// </summary>
public class ConsumerProtocolBytesTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    // Topics alpha, beta; user data null.
    private const string SubscriptionV0 = "0000 00000002 0005 616C706861 0004 62657461 FFFFFFFF";
    // v1 adds owned partitions: alpha [0, 1], beta [0].
    private const string SubscriptionV1 = "0001 00000002 0005 616C706861 0004 62657461 FFFFFFFF"
        + "00000002 0005 616C706861 00000002 00000000 00000001 0004 62657461 00000001 00000000";
    // v2 adds the generation: 7.
    private const string SubscriptionV2 = "0002 00000002 0005 616C706861 0004 62657461 FFFFFFFF"
        + "00000002 0005 616C706861 00000002 00000000 00000001 0004 62657461 00000001 00000000 00000007";
    // Assignment v0: alpha [0, 2], beta [1]; user data null.
    private const string AssignmentV0 = "0000 00000002 0005 616C706861 00000002 00000000 00000002 0004 62657461 00000001 00000001 FFFFFFFF";

    private static readonly Subscription Subscribed = new(["alpha", "beta"],
        [new TopicPartition("alpha", 1), new TopicPartition("beta", 0), new TopicPartition("alpha", 0)], 7);

    [Fact]
    public void Subscriptions_and_assignments_are_written_as_before()
    {
        Assert.Equal(Hex(SubscriptionV0), ConsumerProtocol.EncodeSubscription(Subscribed, 0));
        Assert.Equal(Hex(SubscriptionV1), ConsumerProtocol.EncodeSubscription(Subscribed, 1));
        Assert.Equal(Hex(SubscriptionV2), ConsumerProtocol.EncodeSubscription(Subscribed, 2));
        Assert.Equal(Hex(AssignmentV0), ConsumerProtocol.EncodeAssignment(
            [new TopicPartition("alpha", 2), new TopicPartition("beta", 1), new TopicPartition("alpha", 0)]));
        Assert.Equal(Hex("0000 00000000 FFFFFFFF"), ConsumerProtocol.EncodeAssignment([]));
    }

    [Theory]
    [InlineData(SubscriptionV0, false, -1)]
    [InlineData(SubscriptionV1, true, -1)]
    [InlineData(SubscriptionV2, true, 7)]
    // v3 adds a rack id ("r1"); a version newer than any known (9) reads as the newest known one.
    [InlineData(SubscriptionV2 + "0002 7231", true, 7, "0003")]
    [InlineData(SubscriptionV2 + "0002 7231 DEADBEEF", true, 7, "0009")]
    // kafkajs writes version 1 without the owned partitions.
    [InlineData("0001 00000002 0005 616C706861 0004 62657461 FFFFFFFF", false, -1)]
    public void Subscriptions_of_every_version_are_read(string hex, bool owned, int generation, string? version = null)
    {
        byte[] bytes = Hex(hex);
        if (version is not null)
        {
            Hex(version).CopyTo(bytes, 0);
        }
        Subscription read = ConsumerProtocol.DecodeSubscription(bytes);
        Assert.Equal(["alpha", "beta"], read.Topics);
        Assert.Equal(owned ? ["alpha-0", "alpha-1", "beta-0"] : [], read.OwnedPartitions.Select(p => $"{p.Topic}-{p.Partition}"));
        Assert.Equal(generation, read.GenerationId);
    }

    [Theory]
    [InlineData("0000")]
    [InlineData("0001")]
    [InlineData("0003")]
    public void Assignments_of_every_version_are_read(string version)
    {
        byte[] bytes = Hex(AssignmentV0);
        Hex(version).CopyTo(bytes, 0);
        Assert.Equal(["alpha-0", "alpha-2", "beta-1"], ConsumerProtocol.DecodeAssignment(bytes).Select(p => $"{p.Topic}-{p.Partition}"));
        Assert.Empty(ConsumerProtocol.DecodeAssignment(ReadOnlyMemory<byte>.Empty));
    }
}
