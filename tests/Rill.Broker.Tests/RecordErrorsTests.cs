using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Broker.Tests;

/// <summary>Per-record produce errors (KIP-467) over the wire against an EmbeddedBroker.</summary>
public class RecordErrorsTests : BrokerTestBase
{
    private static byte[] Mixed(long timestamp, params string?[] keys) => RecordBatchBuilder.Build(
        keys.Select(k => new RecordData(timestamp, k is null ? (ReadOnlyMemory<byte>?)null : System.Text.Encoding.UTF8.GetBytes(k), "v"u8.ToArray())).ToList(),
        new BatchOptions(Compression: Rill.Protocol.Compression.CompressionType.Gzip));

    private static async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(WireClient client, short version, string topic, byte[] records)
        => (await client.RequestAsync<ProduceResponse>(ApiKey.Produce, version, Produce(topic, 0, records))).Responses[0].PartitionResponses[0];

    [Fact]
    public async Task Keyless_records_on_a_compacted_topic_are_listed_and_nothing_of_the_batch_is_appended()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "kip467", 1, ("cleanup.policy", "compact"));
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var answer = await ProduceAsync(client, 8, "kip467", Mixed(now, "a", null, "c", null));
        Assert.Equal((short)ErrorCode.InvalidRecord, answer.ErrorCode);
        Assert.Equal([1, 3], answer.RecordErrors.Select(e => e.BatchIndex));
        Assert.All(answer.RecordErrors, e => Assert.Contains("without key", e.BatchIndexErrorMessage));
        Assert.Contains("2 record(s) rejected", answer.ErrorMessage);
        Assert.Equal(-1, answer.BaseOffset);
        Assert.Equal(0, (await FetchAsync(client, "kip467", 0, 0)).HighWatermark);

        // v7 has no record_errors field: the same error code, and still nothing appended.
        var old = await ProduceAsync(client, 7, "kip467", Mixed(now, null, "b"));
        Assert.Equal((short)ErrorCode.InvalidRecord, old.ErrorCode);
        Assert.Equal(0, (await FetchAsync(client, "kip467", 0, 0)).HighWatermark);

        Assert.Equal(0, (await ProduceAsync(client, 11, "kip467", Mixed(now, "a", "b"))).ErrorCode);
        Assert.Equal(2, (await FetchAsync(client, "kip467", 0, 0)).HighWatermark);
    }

    [Fact]
    public async Task Records_with_timestamps_out_of_bounds_are_listed_with_INVALID_TIMESTAMP()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "kip467-ts", 1, ("message.timestamp.before.max.ms", "60000"));
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var records = new List<RecordData>
        {
            new(now, null, "ok"u8.ToArray()),
            new(now - 3_600_000, null, "too old"u8.ToArray()),
            new(now, null, "ok"u8.ToArray()),
        };
        var answer = await ProduceAsync(client, 9, "kip467-ts", RecordBatchBuilder.Build(records));
        Assert.Equal((short)ErrorCode.InvalidTimestamp, answer.ErrorCode);
        Assert.Equal([1], answer.RecordErrors.Select(e => e.BatchIndex));
        Assert.Contains("out of range", answer.RecordErrors[0].BatchIndexErrorMessage);
        Assert.Contains("message.timestamp.before.max.ms=60000", answer.ErrorMessage);
        Assert.Equal(0, (await FetchAsync(client, "kip467-ts", 0, 0)).HighWatermark);
    }
}
