using System.Buffers.Binary;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests;

/// <summary>Malformed admin requests close their connection only; the broker keeps serving and nothing changes.</summary>
public class AdminBadInputTests : BrokerTestBase
{
    public static TheoryData<string> Requests => new() { "DescribeConfigs", "AlterConfigs", "IncrementalAlterConfigs", "CreatePartitions", "DeleteRecords", "DescribeLogDirs", "DescribeCluster" };

    private static (ApiKey Key, short Version, IApiMessage Request) Build(string api) => api switch
    {
        "DescribeConfigs" => (ApiKey.DescribeConfigs, 4, ConfigAdminTests.Describe(2, "topic-a", ["retention.ms"])),
        "AlterConfigs" => (ApiKey.AlterConfigs, 2, new AlterConfigsRequest
        {
            Resources = [new() { ResourceType = 2, ResourceName = "topic-a", Configs = [new() { Name = "retention.ms", Value = "1000" }] }],
        }),
        "IncrementalAlterConfigs" => (ApiKey.IncrementalAlterConfigs, 1, new IncrementalAlterConfigsRequest
        {
            Resources = [new() { ResourceType = 2, ResourceName = "topic-a", Configs = [new() { Name = "retention.ms", ConfigOperation = 0, Value = "1000" }] }],
        }),
        "CreatePartitions" => (ApiKey.CreatePartitions, 3, new CreatePartitionsRequest { Topics = [new() { Name = "topic-a", Count = 5 }], TimeoutMs = 1000 }),
        "DeleteRecords" => (ApiKey.DeleteRecords, 2, new DeleteRecordsRequest
        {
            Topics = [new() { Name = "topic-a", Partitions = [new() { PartitionIndex = 0, Offset = 1 }] }], TimeoutMs = 1000,
        }),
        "DescribeLogDirs" => (ApiKey.DescribeLogDirs, 4, new DescribeLogDirsRequest { Topics = [new() { Topic = "topic-a", Partitions = [0] }] }),
        _ => (ApiKey.DescribeCluster, 1, new DescribeClusterRequest { EndpointType = 1 }),
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Every_truncation_of_an_admin_request_closes_only_that_connection_and_changes_nothing(string api)
    {
        await using (var setup = await ConnectAsync())
        {
            await CreateTopicAsync(setup, "topic-a");
            await ProduceAsync(setup, "topic-a", 0, Batch(3));
        }
        var (key, version, request) = Build(api);
        byte[] frame = WireClient.Frame(key, version, request, 11);
        int headerEnd = 4 + new RequestHeader { RequestApiKey = (short)key, RequestApiVersion = version, CorrelationId = 11, ClientId = "wire-test" }
            .ComputeSize(ApiMessageVersions.RequestHeaderVersion(key, version));
        for (int length = headerEnd; length < frame.Length; length++)
        {
            byte[] cut = frame[..length];
            BinaryPrimitives.WriteInt32BigEndian(cut, cut.Length - 4);
            await using var client = await ConnectAsync();
            await client.SendRawAsync(cut);
            Assert.True(await client.IsClosedByPeerAsync(), $"{api} cut at {length} of {frame.Length} was answered");
        }

        await using var after = await ConnectAsync();
        var described = await ConfigAdminTests.DescribeAsync(after, 2, "topic-a", ["retention.ms"]);
        Assert.Equal(5, described.Configs[0].ConfigSource);
        var fetched = await FetchAsync(after, "topic-a", 0, 0);
        Assert.Equal((0L, 3L), (fetched.LogStartOffset, fetched.HighWatermark));
        var metadata = await after.RequestAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = [new() { Name = "topic-a" }] });
        Assert.Single(metadata.Topics[0].Partitions);
    }

    [Fact]
    public async Task A_hostile_array_length_closes_the_connection_without_allocating_it()
    {
        // DescribeConfigs v0: resources array length int.MaxValue, then nothing.
        byte[] frame = WireClient.Frame(ApiKey.DescribeConfigs, 0, new DescribeConfigsRequest(), 3);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(frame.Length - 4), int.MaxValue);
        await using var client = await ConnectAsync();
        await client.SendRawAsync(frame);
        Assert.True(await client.IsClosedByPeerAsync());
        await using var after = await ConnectAsync();
        var cluster = await after.RequestAsync<DescribeClusterResponse>(ApiKey.DescribeCluster, 0, new DescribeClusterRequest());
        Assert.Equal(0, cluster.ErrorCode);
    }
}
