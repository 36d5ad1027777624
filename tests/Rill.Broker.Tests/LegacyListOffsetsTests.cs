using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Broker.Tests;

/// <summary>ListOffsets v0 (old clients): a list of at most MaxNumOffsets offsets, newest first.</summary>
public class LegacyListOffsetsTests : BrokerTestBase
{
    private static byte[] At(long timestamp, int count) => RecordBatchBuilder.Build(
        Enumerable.Range(0, count).Select(i => new RecordData(timestamp, "k"u8.ToArray(), "v"u8.ToArray())).ToList());

    private static async Task<List<long>> OffsetsAsync(WireClient client, string topic, long timestamp, int max)
    {
        var request = new ListOffsetsRequest { ReplicaId = -1 };
        var t = new ListOffsetsRequest.ListOffsetsTopic { Name = topic };
        t.Partitions.Add(new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = timestamp, MaxNumOffsets = max });
        request.Topics.Add(t);
        var response = await client.RequestAsync<ListOffsetsResponse>(ApiKey.ListOffsets, 0, request);
        Assert.Equal(0, response.Topics[0].Partitions[0].ErrorCode);
        return response.Topics[0].Partitions[0].OldStyleOffsets;
    }

    [Fact]
    public async Task Latest_earliest_and_timestamps_list_segment_base_offsets_newest_first()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "legacy-offsets", 1, ("segment.ms", "1"));
        Assert.Equal([0L], await OffsetsAsync(client, "legacy-offsets", -1, 10));
        Assert.Equal([0L], await OffsetsAsync(client, "legacy-offsets", -2, 10));

        // segment.ms=1 with timestamps far in the past: every append rolls a new segment.
        await ProduceAsync(client, "legacy-offsets", 0, At(1_000, 2));
        await ProduceAsync(client, "legacy-offsets", 0, At(2_000, 2));
        await ProduceAsync(client, "legacy-offsets", 0, At(3_000, 2));
        List<long> latest = await OffsetsAsync(client, "legacy-offsets", -1, 10);
        Assert.Equal(6, latest[0]);
        Assert.Equal([6L, 4, 2, 0], latest);
        Assert.Equal([6L, 4], await OffsetsAsync(client, "legacy-offsets", -1, 2));
        Assert.Equal([6L], await OffsetsAsync(client, "legacy-offsets", -1, 1));
        Assert.Empty(await OffsetsAsync(client, "legacy-offsets", -1, 0));
        Assert.Equal([0L], await OffsetsAsync(client, "legacy-offsets", -2, 10));
        Assert.Equal([2L, 0], await OffsetsAsync(client, "legacy-offsets", 2_500, 10));
        Assert.Empty(await OffsetsAsync(client, "legacy-offsets", 500, 10));
        long future = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 3_600_000;
        Assert.Equal([6L, 4, 2, 0], await OffsetsAsync(client, "legacy-offsets", future, 10));
    }
}
