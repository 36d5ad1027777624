using Rill.Client.Consuming;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client.Tests;

/// <summary>Requests as this client encodes them, byte for byte against kafka-python's own protocol classes.</summary>
public class WireEncodingTests
{
    private static byte[] Encode(IApiMessage message, short version)
    {
        byte[] bytes = new byte[message.ComputeSize(version)];
        var writer = new ProtocolWriter(bytes);
        message.Write(ref writer, version);
        return bytes;
    }

    private static Dictionary<string, byte[]> Ours()
    {
        var list = new ListOffsetsRequest { ReplicaId = -1 };
        list.Topics.Add(new ListOffsetsRequest.ListOffsetsTopic
        {
            Name = "alpha",
            Partitions = [new() { PartitionIndex = 0, Timestamp = -2 }, new() { PartitionIndex = 1, Timestamp = 1_700_000_000_000 }],
        });
        var join = new JoinGroupRequest { GroupId = "g", SessionTimeoutMs = 10000, RebalanceTimeoutMs = 30000, MemberId = "", ProtocolType = "consumer" };
        join.Protocols.Add(new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = new byte[] { 0, 1 } });
        var sync = new SyncGroupRequest { GroupId = "g", GenerationId = 3, MemberId = "m-1" };
        sync.Assignments.Add(new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = "m-1", Assignment = new byte[] { 0, 0 } });
        var commit = new OffsetCommitRequest { GroupId = "g", GenerationIdOrMemberEpoch = 3, MemberId = "m-1", RetentionTimeMs = -1 };
        commit.Topics.Add(new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "alpha", Partitions = [new() { PartitionIndex = 0, CommittedOffset = 42, CommittedMetadata = "" }] });
        var fetch = new FetchRequest { ReplicaId = -1, MaxWaitMs = 500, MinBytes = 1, MaxBytes = 1000, IsolationLevel = 0 };
        fetch.Topics.Add(new FetchRequest.FetchTopic { Topic = "alpha", Partitions = [new() { Partition = 0, FetchOffset = 10, PartitionMaxBytes = 1048576 }] });
        var produce = new ProduceRequest { TransactionalId = null, Acks = -1, TimeoutMs = 30000 };
        produce.TopicData.Add(new ProduceRequest.TopicProduceData { Name = "alpha", PartitionData = [new() { Index = 0, Records = "batch-bytes"u8.ToArray() }] });

        return new()
        {
            ["metadata_v1"] = Encode(new MetadataRequest { Topics = [new() { Name = "alpha" }, new() { Name = "beta" }] }, 1),
            ["metadata_v4"] = Encode(new MetadataRequest { Topics = [new() { Name = "alpha" }], AllowAutoTopicCreation = false }, 4),
            ["list_offsets_v1"] = Encode(list, 1),
            ["join_group_v2"] = Encode(join, 2),
            ["heartbeat_v1"] = Encode(new HeartbeatRequest { GroupId = "g", GenerationId = 3, MemberId = "m-1" }, 1),
            ["sync_group_v1"] = Encode(sync, 1),
            ["leave_group_v1"] = Encode(new LeaveGroupRequest { GroupId = "g", MemberId = "m-1" }, 1),
            ["offset_commit_v2"] = Encode(commit, 2),
            ["offset_fetch_v1"] = Encode(new OffsetFetchRequest { GroupId = "g", Topics = [new() { Name = "alpha", PartitionIndexes = [0, 1] }] }, 1),
            ["find_coordinator_v0"] = Encode(new FindCoordinatorRequest { Key = "g" }, 0),
            ["fetch_v4"] = Encode(fetch, 4),
            ["produce_v3"] = Encode(produce, 3),
            ["subscription_v0"] = ConsumerProtocol.EncodeSubscription(new Subscription(["alpha", "beta"], []), 0),
            ["assignment_v0"] = ConsumerProtocol.EncodeAssignment([new TopicPartition("alpha", 0), new TopicPartition("alpha", 2)]),
            ["header_metadata_v1"] = Header(),
        };
    }

    private static byte[] Header()
    {
        var header = new RequestHeader { RequestApiKey = (short)ApiKey.Metadata, RequestApiVersion = 1, CorrelationId = 7, ClientId = "rill-test" };
        byte[] bytes = new byte[header.ComputeSize(1)];
        var writer = new ProtocolWriter(bytes);
        header.Write(ref writer, 1);
        return bytes;
    }

    [Fact]
    public async Task Request_bodies_match_kafka_python_byte_for_byte()
    {
        string output = await ExternalTool.PythonAsync("encode_requests.py");
        var theirs = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1]);
        var ours = Ours();
        Assert.Equal(theirs.Keys.Order(), ours.Keys.Order());
        foreach (var (name, bytes) in ours)
        {
            Assert.True(theirs[name] == Convert.ToHexStringLower(bytes), $"{name}: kafka-python {theirs[name]}, Rill.Client {Convert.ToHexStringLower(bytes)}");
        }
    }

    [Fact]
    public async Task Murmur2_partitions_match_kafka_python_for_many_keys()
    {
        var random = new Random(42);
        var keys = Enumerable.Range(0, 2000).Select(i => i % 3 == 0 ? $"key-{i}" : i % 3 == 1 ? Guid.NewGuid().ToString() : new string((char)('a' + random.Next(26)), random.Next(1, 40)) + "é✓").ToList();
        foreach (int partitions in new[] { 1, 3, 7, 64 })
        {
            string output = await ExternalTool.RunOkAsync(ExternalTool.Python, [ExternalTool.Script("murmur2.py"), partitions.ToString()], string.Join('\n', keys) + "\n");
            int[] theirs = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            int[] ours = keys.Select(k => Murmur2Partitioner.Partition(System.Text.Encoding.UTF8.GetBytes(k), partitions)).ToArray();
            Assert.Equal(theirs, ours);
        }
    }
}
