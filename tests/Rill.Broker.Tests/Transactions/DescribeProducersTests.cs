using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;
using Rill.Storage.Producers;

namespace Rill.Broker.Tests.Transactions;

/// <summary>DescribeProducers (API 61) over the wire: idempotent and transactional producers of a partition.</summary>
public sealed class DescribeProducersTests : BrokerTestBase
{
    private static DescribeProducersRequest Request(string topic, params int[] partitions)
    {
        var request = new DescribeProducersRequest();
        var t = new DescribeProducersRequest.TopicRequest { Name = topic };
        t.PartitionIndexes.AddRange(partitions);
        request.Topics.Add(t);
        return request;
    }

    [Fact]
    public async Task Describes_each_producer_with_its_open_transaction_and_marker_coordinator_epoch()
    {
        await using WireClient client = await ConnectAsync();
        await CreateTopicAsync(client, "dp", partitions: 1);
        var log = Broker.Host.Broker.Topics.Find("dp")!.Partitions[0].Log;
        Assert.Equal(0, (await ProduceAsync(client, "dp", 0, Batch(3, producerId: 10, epoch: 2, sequence: 0))).ErrorCode); // 0-2
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        byte[] txn = RecordBatchBuilder.Build([new RecordData(now, null, new byte[] { 1 })],
            new BatchOptions(ProducerId: 11, ProducerEpoch: 4, BaseSequence: 0, Transactional: true));
        Assert.Equal(ErrorCode.None, log.Append(txn).Error); // 3, open
        byte[] other = RecordBatchBuilder.Build([new RecordData(now, null, new byte[] { 1 })],
            new BatchOptions(ProducerId: 12, ProducerEpoch: 0, BaseSequence: 0, Transactional: true));
        Assert.Equal(ErrorCode.None, log.Append(other).Error); // 4
        Assert.Equal(ErrorCode.None, log.Append(ControlRecord.BuildMarker(12, 0, commit: true, coordinatorEpoch: 7, now)).Error); // 5

        var response = await client.RequestAsync<DescribeProducersResponse>(ApiKey.DescribeProducers, 0, Request("dp", 0, 3));
        var partition = response.Topics[0].Partitions[0];
        Assert.Equal(0, partition.ErrorCode);
        var producers = partition.ActiveProducers.Select(p =>
            (p.ProducerId, p.ProducerEpoch, p.LastSequence, p.CoordinatorEpoch, p.CurrentTxnStartOffset)).ToList();
        Assert.Equal([(10L, 2, 2, -1, -1L), (11L, 4, 0, -1, 3L), (12L, 0, 0, 7, -1L)], producers);
        Assert.All(partition.ActiveProducers, p => Assert.True(p.LastTimestamp >= now - 60_000));
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Topics[0].Partitions[1].ErrorCode);

        var unknown = await client.RequestAsync<DescribeProducersResponse>(ApiKey.DescribeProducers, 0, Request("nope", 0));
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, unknown.Topics[0].Partitions[0].ErrorCode);
    }
}
