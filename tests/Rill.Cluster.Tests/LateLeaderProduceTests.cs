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
