using Rill.Cluster.Store;
using Rill.Cluster.Tests.Harness;
using Rill.Cluster.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;
using static Rill.Cluster.Tests.Harness.ClusterClient;

namespace Rill.Cluster.Tests;

/// <summary>
/// A broker the store already elected leader, whose own watch has not applied it yet, must not refuse a produce with
/// NOT_LEADER_OR_FOLLOWER (LeadershipCatchUp). Clients learn the new leader from any broker's Metadata and send at
/// once; in the 100-kill run a librdkafka 2.0.2 idempotent producer had one batch refused so by the just-elected
/// leader and the next one, 5 ms later, judged a sequence gap (the leader had caught up meanwhile), which that
/// librdkafka version takes for a fatal desynchronisation.
/// </summary>
public sealed class LateLeaderProduceTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    [Fact]
    public async Task A_follower_elected_while_its_watch_lags_appends_the_produce_as_leader_instead_of_answering_not_leader()
    {
        await using RillCluster cluster = await RillCluster.StartProxiedAsync(fixture.Etcd, 3, "broker.session.timeout.ms=20000");
        string all = cluster.AdvertisedBootstrap();
        await CreateAsync(all, "late", 1, 3, "min.insync.replicas=2");
        PartitionView before = (await Eventually.ValueAsync(() => DescribeAsync(all, "late"),
            v => v is [{ Isr.Length: 3, Leader: > 0 }], "a leader and a full ISR"))![0];
        Assert.Equal(50, (await ProduceAsync(all, "late", 50, "before")).Count);
        int next = before.Isr.First(id => id != before.Leader);

        // The next leader's links to etcd hold every byte (its watch, and any read it makes, wait), while the test
        // elects it in the store as the controller would: same replicas and ISR, leader epoch + 1.
        await using var store = new EtcdMetadataStore(fixture.Etcd.EndpointList);
        var keys = new ClusterKeys(cluster.Prefix);
        VersionedValue current = (await store.GetAsync(keys.Topic("late")))!.Value;
        TopicState topic = TopicState.FromJson(current.Value);
        PartitionState elected = topic.Partitions[0] with { Leader = next, LeaderEpoch = topic.Partitions[0].LeaderEpoch + 1 };
        cluster.Links(next).CutEtcd(true);
        try
        {
            Assert.True(await store.TryCommitAsync([new Guard(keys.Topic("late"), current.ModRevision)],
                [new Write(keys.Topic("late"), topic.With(0, elected).ToJson())]));
            // A client that learnt it from another broker's Metadata produces to `next`, which has not seen the change yet.
            Task<ProduceResponse> produce = ProduceOneAsync(cluster.Links(next).Listener.Port, "late", "to-the-late-leader");
            await Task.Delay(500); // the broker holds the request meanwhile (it used to answer NOT_LEADER_OR_FOLLOWER at once)
            cluster.Links(next).CutEtcd(false);

            ProduceResponse.PartitionProduceResponse answer = (await produce).Responses[0].PartitionResponses[0];
            Assert.Equal((short)ErrorCode.None, answer.ErrorCode);
            Assert.Equal(50, answer.BaseOffset);
        }
        finally
        {
            cluster.Links(next).CutEtcd(false);
        }

        Assert.Contains($"late-0: leader (epoch {elected.LeaderEpoch}", cluster.Broker(next).Output, StringComparison.Ordinal);
        await Eventually.ValueAsync(() => DescribeAsync(all, "late"), v => v is [{ Isr.Length: 3 } p] && p.Leader == next, "the full ISR under the new leader");
        List<AckedRecord> read = await ConsumeAsync(all, "late", 51);
        Assert.Equal(51, read.Count);
        Assert.Equal(new AckedRecord(0, 50, "to-the-late-leader"), read[^1]);
    }

    [Fact]
    public async Task A_restarted_ex_leader_that_has_not_joined_yet_refuses_produce_fetch_and_list_offsets_instead_of_serving_its_local_log()
    {
        // min.insync.replicas=1 (the default): acks=all is answered once the ISR has the record, so a broker that
        // took a produce as a single node would acknowledge it at once.
        await using RillCluster cluster = await RillCluster.StartProxiedAsync(fixture.Etcd, 3);
        string all = cluster.AdvertisedBootstrap();
        await CreateAsync(all, "rejoin", 1, 3);
        PartitionView before = (await Eventually.ValueAsync(() => DescribeAsync(all, "rejoin"),
            v => v is [{ Isr.Length: 3, Leader: > 0 }], "a leader and a full ISR"))![0];
        List<AckedRecord> acked = await ProduceAsync(all, "rejoin", 30, "before");
        Assert.Equal(30, acked.Count);

        int old = before.Leader;
        await cluster.Broker(old).KillAsync();
        string others = cluster.AdvertisedBootstrap(old);
        await Eventually.ValueAsync(() => DescribeAsync(others, "rejoin"), v => v is [{ Leader: > 0 } p] && p.Leader != old, "a new leader");
        acked.AddRange(await ProduceAsync(others, "rejoin", 20, "after-kill"));

        // Restarted with its etcd links holding every byte: it binds its listener and loads its logs, then waits to join.
        cluster.Links(old).CutEtcd(true);
        Task restarted = cluster.Broker(old).RestartAsync();
        try
        {
            int port = cluster.Links(old).Listener.Port;
            ProduceResponse produced = (await Eventually.ValueAsync(() => TryProduceOneAsync(port, "rejoin", "to-the-unjoined-broker"),
                r => r is not null, "an answer from the restarted broker's listener"))!;
            Assert.Equal((short)ErrorCode.NotLeaderOrFollower, produced.Responses[0].PartitionResponses[0].ErrorCode);
            FetchResponse fetched = await FetchAsync(port, "rejoin", 0);
            Assert.Equal((short)ErrorCode.NotLeaderOrFollower, fetched.Responses[0].Partitions[0].ErrorCode);
            ListOffsetsResponse latest = await DirectRequest.SendAsync<ListOffsetsResponse>(port, ApiKey.ListOffsets, 4, new ListOffsetsRequest
            {
                ReplicaId = -1,
                Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = "rejoin", Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -1, CurrentLeaderEpoch = -1 }] }],
            });
            Assert.Equal((short)ErrorCode.NotLeaderOrFollower, latest.Topics[0].Partitions[0].ErrorCode);
            Assert.False(restarted.IsCompleted); // still joining
        }
        finally
        {
            cluster.Links(old).CutEtcd(false);
        }
        await restarted;

        await Eventually.ValueAsync(() => DescribeAsync(all, "rejoin"), v => v is [{ Isr.Length: 3 }], "the restarted broker back in the ISR");
        List<AckedRecord> read = await ConsumeAsync(all, "rejoin", 50);
        AssertSameRecords(acked, read);
    }

    private static async Task<ProduceResponse?> TryProduceOneAsync(int port, string topic, string value)
    {
        try
        {
            return await ProduceOneAsync(port, topic, value);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or EndOfStreamException)
        {
            return null; // the proxy accepted, the broker is not listening yet
        }
    }

    /// <summary>One consumer Fetch (v11, replica id -1) of partition 0 from offset 0, to exactly this port.</summary>
    private static Task<FetchResponse> FetchAsync(int port, string topic, long offset)
    {
        var request = new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = 0,
            MinBytes = 1,
            MaxBytes = 1 << 20,
            IsolationLevel = 0,
            Topics =
            [
                new FetchRequest.FetchTopic
                {
                    Topic = topic,
                    Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = offset, PartitionMaxBytes = 1 << 20, CurrentLeaderEpoch = -1, LogStartOffset = -1 }],
                },
            ],
        };
        return DirectRequest.SendAsync<FetchResponse>(port, ApiKey.Fetch, 11, request);
    }

    /// <summary>One acks=all record to exactly this port (Produce v8, no routing).</summary>
    private static Task<ProduceResponse> ProduceOneAsync(int port, string topic, string value)
    {
        byte[] batch = RecordBatchBuilder.Build([new RecordData(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, System.Text.Encoding.UTF8.GetBytes(value))]);
        var request = new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 15_000,
            TopicData =
            [
                new ProduceRequest.TopicProduceData
                {
                    Name = topic,
                    PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }],
                },
            ],
        };
        return DirectRequest.SendAsync<ProduceResponse>(port, ApiKey.Produce, 8, request);
    }
}
