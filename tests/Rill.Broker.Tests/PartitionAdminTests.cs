using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests;

/// <summary>CreatePartitions, DeleteRecords, DescribeLogDirs and DescribeCluster over the wire, and what survives a restart.</summary>
public class PartitionAdminTests : BrokerTestBase
{
    private static CreatePartitionsRequest AddPartitions(string topic, int count, bool validateOnly = false, params int[][] assignments)
        => new()
        {
            Topics =
            [
                new()
                {
                    Name = topic,
                    Count = count,
                    Assignments = assignments.Length == 0 ? null : assignments.Select(a => new CreatePartitionsRequest.CreatePartitionsAssignment { BrokerIds = [.. a] }).ToList(),
                },
            ],
            TimeoutMs = 5000,
            ValidateOnly = validateOnly,
        };

    private static async Task<CreatePartitionsResponse.CreatePartitionsTopicResult> AddPartitionsAsync(WireClient client, CreatePartitionsRequest request, short version = 3)
        => (await client.RequestAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, version, request)).Results[0];

    private static async Task<int> PartitionCountAsync(WireClient client, string topic)
    {
        var metadata = await client.RequestAsync<MetadataResponse>(ApiKey.Metadata, 12,
            new MetadataRequest { Topics = [new() { Name = topic }], AllowAutoTopicCreation = false });
        return metadata.Topics[0].Partitions.Count;
    }

    private static DeleteRecordsRequest DeleteRecords(string topic, params (int Partition, long Offset)[] partitions)
    {
        var request = new DeleteRecordsRequest { TimeoutMs = 5000 };
        var t = new DeleteRecordsRequest.DeleteRecordsTopic { Name = topic };
        foreach (var (partition, offset) in partitions)
        {
            t.Partitions.Add(new() { PartitionIndex = partition, Offset = offset });
        }
        request.Topics.Add(t);
        return request;
    }

    private static async Task<List<DeleteRecordsResponse.DeleteRecordsPartitionResult>> DeleteRecordsAsync(WireClient client, string topic,
        short version = 2, params (int Partition, long Offset)[] partitions)
        => (await client.RequestAsync<DeleteRecordsResponse>(ApiKey.DeleteRecords, version, DeleteRecords(topic, partitions))).Topics[0].Partitions;

    private static async Task<long> EarliestAsync(WireClient client, string topic, int partition = 0)
    {
        var request = new ListOffsetsRequest { ReplicaId = -1 };
        request.Topics.Add(new() { Name = topic, Partitions = [new() { PartitionIndex = partition, Timestamp = -2 }] });
        var response = await client.RequestAsync<ListOffsetsResponse>(ApiKey.ListOffsets, 7, request);
        Assert.Equal(0, response.Topics[0].Partitions[0].ErrorCode);
        return response.Topics[0].Partitions[0].Offset;
    }

    [Fact]
    public async Task CreatePartitions_adds_partitions_that_Metadata_Produce_and_Fetch_see_and_that_survive_a_restart()
    {
        await using (var client = await ConnectAsync())
        {
            await CreateTopicAsync(client, "growing");
            Assert.Equal(0, (await ProduceAsync(client, "growing", 0, Batch(2))).ErrorCode);
            Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await ProduceAsync(client, "growing", 2, Batch(1))).ErrorCode);

            var checkOnly = await AddPartitionsAsync(client, AddPartitions("growing", 3, validateOnly: true));
            Assert.Equal(0, checkOnly.ErrorCode);
            Assert.Equal(1, await PartitionCountAsync(client, "growing"));

            var added = await AddPartitionsAsync(client, AddPartitions("growing", 3));
            Assert.Equal((0, (string?)null), (added.ErrorCode, added.ErrorMessage));
            Assert.Equal(3, await PartitionCountAsync(client, "growing"));
            Assert.Equal(0, (await ProduceAsync(client, "growing", 2, Batch(3))).ErrorCode);
            Assert.Equal([0L], BatchBaseOffsets((await FetchAsync(client, "growing", 2, 0)).Records));

            // Explicit assignments naming this broker, and v0's body.
            Assert.Equal(0, (await AddPartitionsAsync(client, AddPartitions("growing", 4, false, [1]), version: 0)).ErrorCode);
            Assert.Equal(4, await PartitionCountAsync(client, "growing"));
        }

        await Broker.RestartAsync();

        await using var after = await ConnectAsync();
        Assert.Equal(4, await PartitionCountAsync(after, "growing"));
        Assert.Equal(3, (await FetchAsync(after, "growing", 2, 0)).HighWatermark);
        Assert.Equal(2, (await FetchAsync(after, "growing", 0, 0)).HighWatermark);
    }

    [Fact]
    public async Task CreatePartitions_refuses_decreases_bad_assignments_unknown_and_duplicate_topics()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "fixed", 3);

        var fewer = await AddPartitionsAsync(client, AddPartitions("fixed", 2));
        Assert.Equal((short)ErrorCode.InvalidPartitions, fewer.ErrorCode);
        Assert.Contains("3", fewer.ErrorMessage);
        Assert.Equal((short)ErrorCode.InvalidPartitions, (await AddPartitionsAsync(client, AddPartitions("fixed", 3))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidPartitions, (await AddPartitionsAsync(client, AddPartitions("fixed", -1))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidPartitions, (await AddPartitionsAsync(client, AddPartitions("fixed", int.MaxValue))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidReplicaAssignment, (await AddPartitionsAsync(client, AddPartitions("fixed", 5, false, [1]))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidReplicaAssignment, (await AddPartitionsAsync(client, AddPartitions("fixed", 4, false, [2]))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidReplicaAssignment, (await AddPartitionsAsync(client, AddPartitions("fixed", 4, false, [1, 1]))).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await AddPartitionsAsync(client, AddPartitions("absent", 4))).ErrorCode);

        var twice = new CreatePartitionsRequest
        {
            Topics = [new() { Name = "fixed", Count = 4 }, new() { Name = "fixed", Count = 5 }],
            TimeoutMs = 1000,
        };
        var response = await client.RequestAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, 2, twice);
        Assert.All(response.Results, r => Assert.Equal((short)ErrorCode.InvalidRequest, r.ErrorCode));
        Assert.Equal(3, await PartitionCountAsync(client, "fixed"));
    }

    [Fact]
    public async Task DeleteRecords_moves_the_log_start_so_Fetch_and_ListOffsets_follow_and_it_survives_a_restart()
    {
        await using (var client = await ConnectAsync())
        {
            await CreateTopicAsync(client, "trimmed", 2);
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(0, (await ProduceAsync(client, "trimmed", 0, Batch(2))).ErrorCode);
            }

            var deleted = await DeleteRecordsAsync(client, "trimmed", partitions: (0, 4));
            Assert.Equal((0, 4L), (deleted[0].ErrorCode, deleted[0].LowWatermark));
            Assert.Equal((short)ErrorCode.OffsetOutOfRange, (await FetchAsync(client, "trimmed", 0, 3)).ErrorCode);
            var fromStart = await FetchAsync(client, "trimmed", 0, 4);
            Assert.Equal((0, 4L), (fromStart.ErrorCode, fromStart.LogStartOffset));
            Assert.Equal(4L, BatchBaseOffsets(fromStart.Records)[0]);
            Assert.Equal(4, await EarliestAsync(client, "trimmed"));

            // Lower than the current start: nothing changes, the answer is the current start.
            Assert.Equal(4, (await DeleteRecordsAsync(client, "trimmed", version: 0, partitions: (0, 1)))[0].LowWatermark);
            // Mid-batch: the start moves there; a fetch at it still returns the whole batch.
            Assert.Equal(5, (await DeleteRecordsAsync(client, "trimmed", version: 1, partitions: (0, 5)))[0].LowWatermark);
            Assert.Equal([4L, 6L, 8L], BatchBaseOffsets((await FetchAsync(client, "trimmed", 0, 5)).Records));

            var errors = await DeleteRecordsAsync(client, "trimmed", partitions: [(0, 11), (0, -7), (1, -1), (9, 0)]);
            Assert.Equal(
                [((short)ErrorCode.OffsetOutOfRange, -1L), ((short)ErrorCode.OffsetOutOfRange, -1L), ((short)0, 0L), ((short)ErrorCode.UnknownTopicOrPartition, -1L)],
                errors.Select(p => (p.ErrorCode, p.LowWatermark)));
            Assert.Equal(5, await EarliestAsync(client, "trimmed"));
        }

        await Broker.RestartAsync();

        await using var after = await ConnectAsync();
        Assert.Equal(5, await EarliestAsync(after, "trimmed"));
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, (await FetchAsync(after, "trimmed", 0, 4)).ErrorCode);
        // -1 is the high watermark: everything goes.
        Assert.Equal(10, (await DeleteRecordsAsync(after, "trimmed", partitions: (0, -1)))[0].LowWatermark);
        Assert.Equal(10, await EarliestAsync(after, "trimmed"));
        Assert.Equal(10, (await ProduceAsync(after, "trimmed", 0, Batch(1))).BaseOffset);
    }

    [Fact]
    public async Task DeleteRecords_refuses_compacted_internal_and_unknown_topics()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "compacted", 1, ("cleanup.policy", "compact"));
        await ProduceAsync(client, "compacted", 0, Batch(3));
        Assert.Equal((short)ErrorCode.PolicyViolation, (await DeleteRecordsAsync(client, "compacted", partitions: (0, 1)))[0].ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await DeleteRecordsAsync(client, "none", partitions: (0, 1)))[0].ErrorCode);

        // Make __consumer_offsets exist by committing an offset, then try to trim it.
        await CreateTopicAsync(client, "for-offsets");
        var commit = new OffsetCommitRequest { GroupId = "g", GenerationIdOrMemberEpoch = -1, MemberId = "" };
        commit.Topics.Add(new() { Name = "for-offsets", Partitions = [new() { PartitionIndex = 0, CommittedOffset = 0 }] });
        await client.RequestAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, commit);
        Assert.Equal((short)ErrorCode.InvalidTopicException, (await DeleteRecordsAsync(client, "__consumer_offsets", partitions: (0, 0)))[0].ErrorCode);
        Assert.Equal(0, await EarliestAsync(client, "compacted"));
    }

    [Fact]
    public async Task DescribeLogDirs_reports_partition_sizes_and_the_volume()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "sized", 2);
        byte[] batch = Batch(4);
        await ProduceAsync(client, "sized", 1, batch);

        var all = await client.RequestAsync<DescribeLogDirsResponse>(ApiKey.DescribeLogDirs, 4, new DescribeLogDirsRequest { Topics = null });
        Assert.Equal(0, all.ErrorCode);
        var dir = Assert.Single(all.Results);
        Assert.Equal(0, dir.ErrorCode);
        Assert.Equal(Path.GetFullPath(Broker.DataDirectory), dir.LogDir);
        Assert.True(dir.TotalBytes > 0 && dir.UsableBytes > 0 && dir.UsableBytes <= dir.TotalBytes, $"{dir.TotalBytes} / {dir.UsableBytes}");
        var sized = Assert.Single(dir.Topics, t => t.Name == "sized");
        Assert.Equal([(0, 0L), (1, (long)batch.Length)], sized.Partitions.Select(p => (p.PartitionIndex, p.PartitionSize)));

        var filter = new DescribeLogDirsRequest { Topics = [new() { Topic = "sized", Partitions = [1, 7] }, new() { Topic = "unknown", Partitions = [0] }] };
        var filtered = await client.RequestAsync<DescribeLogDirsResponse>(ApiKey.DescribeLogDirs, 0, filter);
        var only = Assert.Single(Assert.Single(filtered.Results).Topics);
        Assert.Equal(("sized", 1), (only.Name, Assert.Single(only.Partitions).PartitionIndex));
        Assert.Equal(-1, filtered.Results[0].TotalBytes); // not in v0

        var none = await client.RequestAsync<DescribeLogDirsResponse>(ApiKey.DescribeLogDirs, 2, new DescribeLogDirsRequest { Topics = [] });
        Assert.Empty(Assert.Single(none.Results).Topics);
    }

    [Fact]
    public async Task DescribeCluster_names_this_broker_as_the_cluster_and_refuses_controller_endpoints()
    {
        await using var client = await ConnectAsync();
        var metadata = await client.RequestAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = [] });

        var v0 = await client.RequestAsync<DescribeClusterResponse>(ApiKey.DescribeCluster, 0, new DescribeClusterRequest());
        Assert.Equal(0, v0.ErrorCode);
        Assert.Equal(metadata.ClusterId, v0.ClusterId);
        Assert.Equal(1, v0.ControllerId);
        var broker = Assert.Single(v0.Brokers);
        Assert.Equal((1, "127.0.0.1", Broker.Port), (broker.BrokerId, broker.Host, broker.Port));
        Assert.Equal(int.MinValue, v0.ClusterAuthorizedOperations);

        var v1 = await client.RequestAsync<DescribeClusterResponse>(ApiKey.DescribeCluster, 1,
            new DescribeClusterRequest { EndpointType = 1, IncludeClusterAuthorizedOperations = true });
        Assert.Equal((0, (sbyte)1), (v1.ErrorCode, v1.EndpointType));
        Assert.NotEqual(0, v1.ClusterAuthorizedOperations & (1 << 11)); // ALTER_CONFIGS

        var controllers = await client.RequestAsync<DescribeClusterResponse>(ApiKey.DescribeCluster, 1, new DescribeClusterRequest { EndpointType = 2 });
        Assert.Equal((short)ErrorCode.MismatchedEndpointType, controllers.ErrorCode);
        Assert.Empty(controllers.Brokers);
        var unknown = await client.RequestAsync<DescribeClusterResponse>(ApiKey.DescribeCluster, 1, new DescribeClusterRequest { EndpointType = 9 });
        Assert.Equal((short)ErrorCode.UnsupportedEndpointType, unknown.ErrorCode);
    }
}
