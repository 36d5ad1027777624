using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests;

/// <summary>Deleted offsets are written as real tombstones (null values) and stay deleted after a restart.</summary>
public class ConsumerOffsetsTombstoneTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string> Properties => new Dictionary<string, string> { ["offsets.topic.num.partitions"] = "1" };

    [Fact]
    public async Task An_offset_deleted_with_OffsetDelete_is_still_gone_after_a_restart()
    {
        await using (var client = await ConnectAsync())
        {
            await CreateTopicAsync(client, "tomb", 1);
            var commit = new OffsetCommitRequest { GroupId = "gt", GenerationIdOrMemberEpoch = -1, MemberId = "" };
            commit.Topics.Add(new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = "tomb",
                Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 9, CommittedMetadata = "" }],
            });
            Assert.Equal(0, (await client.RequestAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, commit)).Topics[0].Partitions[0].ErrorCode);
            var deleted = await client.RequestAsync<OffsetDeleteResponse>(ApiKey.OffsetDelete, 0, new OffsetDeleteRequest
            {
                GroupId = "gt",
                Topics = [new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = "tomb", Partitions = [new OffsetDeleteRequest.OffsetDeleteRequestPartition { PartitionIndex = 0 }] }],
            });
            Assert.Equal(0, deleted.ErrorCode);
        }
        await Broker.RestartAsync();
        await Broker.Host.Broker.GroupsLoaded;
        Assert.Null(Broker.Host.Broker.Groups.FetchOffset("gt", "tomb", 0));
    }
}
