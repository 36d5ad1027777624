using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests;

/// <summary>__consumer_offsets is compacted by the same log cleaner, and the groups replay the same state from it.</summary>
public class ConsumerOffsetsCompactionTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string> Properties => new Dictionary<string, string>
    {
        ["offsets.topic.num.partitions"] = "1",
        ["offsets.topic.segment.bytes"] = "1048576",
        ["log.cleaner.backoff.ms"] = "50",
    };

    [Fact]
    public async Task Thousands_of_commits_compact_to_the_latest_per_partition_and_survive_a_restart()
    {
        const int Rounds = 4000, Partitions = 10;
        await using (var client = await ConnectAsync())
        {
            await CreateTopicAsync(client, "t", Partitions);
            for (int round = 1; round <= Rounds; round++)
            {
                var request = new OffsetCommitRequest { GroupId = "g", GenerationIdOrMemberEpoch = -1, MemberId = "" };
                request.Topics.Add(new OffsetCommitRequest.OffsetCommitRequestTopic
                {
                    Name = "t",
                    Partitions = Enumerable.Range(0, Partitions).Select(p => new OffsetCommitRequest.OffsetCommitRequestPartition
                    {
                        PartitionIndex = p, CommittedOffset = round * 10L + p, CommittedMetadata = "rider-tracking",
                    }).ToList(),
                });
                var response = await client.RequestAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, request);
                Assert.All(response.Topics[0].Partitions, p => Assert.Equal(0, p.ErrorCode));
            }
        }

        var log = Broker.Host.Broker.Topics.Find("__consumer_offsets")!.Partitions[0].Log;
        Assert.True(log.SegmentCount >= 3, $"{log.SegmentCount} segments");
        long before = log.SizeInBytes;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (log.CleanerCheckpoint < log.GetSegments()[^1].BaseOffset && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Equal(log.GetSegments()[^1].BaseOffset, log.CleanerCheckpoint);
        var inactive = log.GetSegments().Where(s => !s.IsActive).Sum(s => s.SizeInBytes);
        Assert.True(inactive < 4096, $"the cleaned segments still hold {inactive} bytes (log was {before})");

        await Broker.RestartAsync();
        await using var after = await ConnectAsync();
        var fetched = await after.RequestAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, 8, new OffsetFetchRequest
        {
            Groups = [new OffsetFetchRequest.OffsetFetchRequestGroup
            {
                GroupId = "g",
                Topics = [new OffsetFetchRequest.OffsetFetchRequestTopics { Name = "t", PartitionIndexes = Enumerable.Range(0, Partitions).ToList() }],
            }],
        });
        Assert.Equal(0, fetched.Groups[0].ErrorCode);
        Assert.Equal(Enumerable.Range(0, Partitions).Select(p => Rounds * 10L + p), fetched.Groups[0].Topics[0].Partitions.Select(p => p.CommittedOffset));
        Assert.All(fetched.Groups[0].Topics[0].Partitions, p => Assert.Equal("rider-tracking", p.Metadata));
    }
}
