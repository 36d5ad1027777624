using Rill.Protocol;
using Rill.Protocol.Records;

namespace Rill.Broker.Tests.Transactions;

/// <summary>producer.id.expiration.ms on the broker: a producer idle longer than it is not loaded again at a restart.</summary>
public sealed class ProducerIdExpirationBrokerTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string> Properties => new Dictionary<string, string>
    {
        ["producer.id.expiration.ms"] = "3600000",
    };

    private static byte[] Idempotent(long producerId, long timestamp)
        => RecordBatchBuilder.Build([new RecordData(timestamp, null, "v"u8.ToArray())],
            new BatchOptions(ProducerId: producerId, ProducerEpoch: 0, BaseSequence: 0));

    [Fact]
    public async Task A_producer_idle_longer_than_producer_id_expiration_ms_is_dropped_at_the_restart()
    {
        await using (var client = await ConnectAsync())
        {
            await CreateTopicAsync(client, "pid-exp");
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            Assert.Equal(0, (await ProduceAsync(client, "pid-exp", 0, Idempotent(501, now - 7_200_000))).ErrorCode);
            Assert.Equal(0, (await ProduceAsync(client, "pid-exp", 0, Idempotent(502, now))).ErrorCode);
        }
        IEnumerable<long> Producers() => Broker.Host.Broker.Topics.Find("pid-exp")!.Partitions[0].Log.GetProducers().Select(p => p.ProducerId).Order();
        Assert.Equal([501L, 502L], Producers());

        await Broker.RestartAsync();
        Assert.Equal([502L], Producers());
    }
}
