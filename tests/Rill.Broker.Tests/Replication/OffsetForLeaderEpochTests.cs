using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests.Replication;

/// <summary>OffsetForLeaderEpoch (API 23) over the wire, on the single-node broker (partitions in epoch 0) and from the epoch cache.</summary>
public sealed class OffsetForLeaderEpochTests : BrokerTestBase
{
    private static OffsetForLeaderEpochRequest Request(string topic, int epoch, int currentEpoch = -1, int partition = 0, int replicaId = -1) => new()
    {
        ReplicaId = replicaId,
        Topics = [new() { Topic = topic, Partitions = [new() { Partition = partition, CurrentLeaderEpoch = currentEpoch, LeaderEpoch = epoch }] }],
    };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Every_version_answers_the_end_of_the_current_epoch(short version)
    {
        await using WireClient client = await ConnectAsync();
        string topic = $"ofle-v{version}";
        await CreateTopicAsync(client, topic);
        Assert.Equal(0, (await ProduceAsync(client, topic, 0, Batch(4))).ErrorCode);

        var response = await client.RequestAsync<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, version, Request(topic, 0, currentEpoch: 0));
        var answer = response.Topics[0].Partitions[0];
        Assert.Equal(0, answer.ErrorCode);
        Assert.Equal(4, answer.EndOffset);
        Assert.Equal(version >= 1 ? 0 : -1, answer.LeaderEpoch);

        // A record's epoch is whatever its producer wrote on a single node (nothing is stamped): any epoch asked ends at
        // the log end in epoch 0, so a consumer's position is never taken for a truncation.
        var other = (await client.RequestAsync<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, version, Request(topic, 3))).Topics[0].Partitions[0];
        Assert.Equal((0, 4L), (other.ErrorCode, other.EndOffset));
        var none = (await client.RequestAsync<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, version, Request(topic, -1))).Topics[0].Partitions[0];
        Assert.Equal((0, -1L), (none.ErrorCode, none.EndOffset));
    }

    [Fact]
    public async Task Current_leader_epoch_is_checked_and_unknown_partitions_are_named()
    {
        await using WireClient client = await ConnectAsync();
        await CreateTopicAsync(client, "ofle-fence");
        var newer = await client.RequestAsync<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, 4, Request("ofle-fence", 0, currentEpoch: 2));
        Assert.Equal((short)ErrorCode.UnknownLeaderEpoch, newer.Topics[0].Partitions[0].ErrorCode);
        var unknown = await client.RequestAsync<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, 4, Request("ofle-none", 0));
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, unknown.Topics[0].Partitions[0].ErrorCode);
        var badPartition = await client.RequestAsync<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, 4, Request("ofle-fence", 0, partition: 7));
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, badPartition.Topics[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task Older_epochs_end_where_the_next_epoch_began()
    {
        await using WireClient client = await ConnectAsync();
        await CreateTopicAsync(client, "ofle-cache");
        var log = Broker.Host.Broker.Topics.Find("ofle-cache")!.Partitions[0].Log;
        log.BecomeLeader(2);
        Assert.Equal(0, (await ProduceAsync(client, "ofle-cache", 0, Batch(3))).ErrorCode); // 0-2 in epoch 2
        log.BecomeLeader(5);
        Assert.Equal(0, (await ProduceAsync(client, "ofle-cache", 0, Batch(4))).ErrorCode); // 3-6 in epoch 5

        async Task<(int Epoch, long End)> Ask(int epoch)
        {
            var r = await client.RequestAsync<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, 4, Request("ofle-cache", epoch));
            Assert.Equal(0, r.Topics[0].Partitions[0].ErrorCode);
            return (r.Topics[0].Partitions[0].LeaderEpoch, r.Topics[0].Partitions[0].EndOffset);
        }
        Assert.Equal((2, 3L), await Ask(2));
        Assert.Equal((2, 3L), await Ask(4)); // never an epoch here: the largest below it
        Assert.Equal((5, 7L), await Ask(5));
        Assert.Equal((1, 0L), await Ask(1)); // below the first epoch: ends where the first began
        Assert.Equal((-1, -1L), await Ask(6));
    }
}
