using Rill.Cluster.Tests.Harness;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Cluster.Tests;

/// <summary>
/// Transactions v2 (KIP-890 part 2) on a 3-broker cluster where the partition's leader is not the transactional
/// id's coordinator: Produce v12 makes the leader add the partition on the coordinator's broker (AddPartitionsToTxn
/// v4 without VerifyOnly), EndTxn v5 bumps the epoch, a late write of the ended transaction is fenced, and kcat
/// (read_committed) sees exactly the committed records. No installed client speaks transactions v2, so the
/// producer side is raw requests sent to exactly the broker a v2 client would use.
/// </summary>
public sealed class TransactionsV2ClusterTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private static readonly string[] Settings =
    [
        "broker.session.timeout.ms=2000", "offsets.topic.num.partitions=3", "transaction.state.log.num.partitions=3",
    ];

    private static byte[] TxnBatch(long producerId, short epoch, int sequence, params string[] values)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return RecordBatchBuilder.Build(values.Select(v => new RecordData(now, null, System.Text.Encoding.UTF8.GetBytes(v))).ToList(),
            new BatchOptions(ProducerId: producerId, ProducerEpoch: epoch, BaseSequence: sequence, Transactional: true));
    }

    /// <summary>Produce v12 to exactly this broker, retried while the leader answers NOT_ENOUGH_REPLICAS (coordinator busy or moving).</summary>
    private static Task<short> ProduceV12Async(RillProcess leader, string id, string topic, byte[] batch)
        => Eventually.ValueAsync(async () =>
        {
            var request = new ProduceRequest { Acks = -1, TimeoutMs = 10_000, TransactionalId = id };
            var data = new ProduceRequest.TopicProduceData { Name = topic };
            data.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = 0, Records = batch });
            request.TopicData.Add(data);
            var response = await DirectRequest.SendAsync<ProduceResponse>(leader.Port, ApiKey.Produce, 12, request);
            return response.Responses[0].PartitionResponses[0].ErrorCode;
        }, error => error != (short)ErrorCode.NotEnoughReplicas, "a Produce v12 answer other than NOT_ENOUGH_REPLICAS", TimeSpan.FromSeconds(60));

    [Fact]
    public async Task A_leader_adds_the_partition_on_the_coordinators_broker_and_the_epoch_bump_fences_a_late_write()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, Settings);
        await ExternalTool.RunOkAsync(ExternalTool.Python, [ExternalTool.Script("cluster_client.py"), "create", cluster.Broker(1).BootstrapServers,
            "tv2", "1", "3", "min.insync.replicas=2"], timeout: TimeSpan.FromSeconds(120));
        string described = await ExternalTool.RunOkAsync(ExternalTool.Python, [ExternalTool.Script("cluster_client.py"), "describe",
            cluster.Broker(1).BootstrapServers, "tv2"], timeout: TimeSpan.FromSeconds(60));
        int leaderId = int.Parse(described.Trim().Split('\n')[0].Split(' ')[1]);
        RillProcess leader = cluster.Broker(leaderId);

        // A transactional id coordinated by another broker than the partition's leader.
        (string Id, int Node) found = ("", -1);
        for (int i = 0; i < 64 && found.Node < 0; i++)
        {
            string candidate = $"tv2-{i}";
            int node = await Eventually.ValueAsync(async () =>
            {
                var answer = await DirectRequest.SendAsync<FindCoordinatorResponse>(leader.Port, ApiKey.FindCoordinator, 1,
                    new FindCoordinatorRequest { Key = candidate, KeyType = 1 });
                return answer.ErrorCode == 0 ? answer.NodeId : -1;
            }, node => node > 0, $"a coordinator for {candidate}", TimeSpan.FromSeconds(60));
            if (node != leaderId)
            {
                found = (candidate, node);
            }
        }
        Assert.True(found.Node > 0, "no transactional id among 64 is coordinated away from the leader");
        RillProcess coordinator = cluster.Broker(found.Node);
        string id = found.Id;

        var init = await Eventually.ValueAsync(() => DirectRequest.SendAsync<InitProducerIdResponse>(coordinator.Port, ApiKey.InitProducerId, 4,
            new InitProducerIdRequest { TransactionalId = id, TransactionTimeoutMs = 60_000, ProducerId = -1, ProducerEpoch = -1 }),
            r => r.ErrorCode is not ((short)ErrorCode.CoordinatorLoadInProgress or (short)ErrorCode.ConcurrentTransactions or (short)ErrorCode.NotCoordinator),
            "InitProducerId answered", TimeSpan.FromSeconds(60));
        Assert.Equal(0, init.ErrorCode);
        long pid = init.ProducerId;
        short epoch = init.ProducerEpoch;

        // First transaction: no AddPartitionsToTxn, the leader adds the partition remotely; committed.
        Assert.Equal(0, await ProduceV12Async(leader, id, "tv2", TxnBatch(pid, epoch, 0, "a", "b")));
        var committed = await Eventually.ValueAsync(() => DirectRequest.SendAsync<EndTxnResponse>(coordinator.Port, ApiKey.EndTxn, 5,
            new EndTxnRequest { TransactionalId = id, ProducerId = pid, ProducerEpoch = epoch, Committed = true }),
            r => r.ErrorCode != (short)ErrorCode.ConcurrentTransactions, "EndTxn answered", TimeSpan.FromSeconds(60));
        Assert.Equal(0, committed.ErrorCode);
        Assert.Equal((pid, (short)(epoch + 1)), (committed.ProducerId, committed.ProducerEpoch));

        // A late write of the ended transaction (old epoch) is fenced through the coordinator's broker.
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, await ProduceV12Async(leader, id, "tv2", TxnBatch(pid, epoch, 2, "late")));

        // Second transaction with the bumped epoch: aborted.
        short next = committed.ProducerEpoch;
        Assert.Equal(0, await ProduceV12Async(leader, id, "tv2", TxnBatch(pid, next, 0, "c")));
        var aborted = await Eventually.ValueAsync(() => DirectRequest.SendAsync<EndTxnResponse>(coordinator.Port, ApiKey.EndTxn, 5,
            new EndTxnRequest { TransactionalId = id, ProducerId = pid, ProducerEpoch = next, Committed = false }),
            r => r.ErrorCode != (short)ErrorCode.ConcurrentTransactions, "EndTxn answered", TimeSpan.FromSeconds(60));
        Assert.Equal(0, aborted.ErrorCode);

        async Task<string[]> ReadAsync(string isolation) => (await ExternalTool.RunOkAsync("kcat", ["-b", leader.BootstrapServers, "-C", "-t", "tv2",
            "-p", "0", "-o", "beginning", "-e", "-X", $"isolation.level={isolation}", "-f", "%s\\n"], timeout: TimeSpan.FromSeconds(60)))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["a", "b"], await Eventually.ValueAsync(() => ReadAsync("read_committed"), lines => lines.Length >= 2,
            "kcat read_committed seeing the committed transaction", TimeSpan.FromSeconds(60)));
        Assert.Equal(["a", "b", "c"], await ReadAsync("read_uncommitted"));
    }
}
