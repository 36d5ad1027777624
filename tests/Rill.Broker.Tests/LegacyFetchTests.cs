using System.Buffers.Binary;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Broker.Tests;

/// <summary>Fetch v0-3 over the wire: stored v2 batches come back as legacy message sets within the size limits.</summary>
public class LegacyFetchTests : BrokerTestBase
{
    /// <summary>(offset, magic, size) of each whole message, and the bytes of a trailing partial one.</summary>
    private static (List<(long Offset, byte Magic, int Size)> Messages, int PartialBytes) Parse(ReadOnlyMemory<byte>? records)
    {
        var messages = new List<(long, byte, int)>();
        ReadOnlySpan<byte> span = records is { } r ? r.Span : default;
        int p = 0;
        while (span.Length - p >= 12)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(span[(p + 8)..]);
            if (size > span.Length - p - 12)
            {
                break;
            }
            ReadOnlySpan<byte> message = span.Slice(p + 12, size);
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(message), Crc32.Compute(message[4..]));
            messages.Add((BinaryPrimitives.ReadInt64BigEndian(span[p..]), message[4], size + 12));
            p += 12 + size;
        }
        return (messages, span.Length - p);
    }

    private static FetchRequest Request(int maxBytes, int partitionMaxBytes, params (string Topic, long Offset)[] partitions)
    {
        var request = new FetchRequest { MaxWaitMs = 0, MinBytes = 0, MaxBytes = maxBytes };
        foreach (var (topic, offset) in partitions)
        {
            var data = new FetchRequest.FetchTopic { Topic = topic };
            data.Partitions.Add(new FetchRequest.FetchPartition { Partition = 0, FetchOffset = offset, PartitionMaxBytes = partitionMaxBytes });
            request.Topics.Add(data);
        }
        return request;
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 1)]
    public async Task Each_old_version_gets_its_message_format_from_the_fetch_offset_on(short version, byte magic)
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "legacy");
        await ProduceAsync(client, "legacy", 0, Batch(5));
        await ProduceAsync(client, "legacy", 0, Batch(3));
        var response = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, version, Request(1 << 20, 1 << 20, ("legacy", 2)));
        var partition = response.Responses[0].Partitions[0];
        Assert.Equal(0, partition.ErrorCode);
        Assert.Equal(8, partition.HighWatermark);
        var (messages, partial) = Parse(partition.Records);
        Assert.Equal([2L, 3, 4, 5, 6, 7], messages.Select(m => m.Offset));
        Assert.All(messages, m => Assert.Equal(magic, m.Magic));
        Assert.Equal(0, partial);
    }

    [Fact]
    public async Task V0_to_v2_answer_a_message_larger_than_the_partition_limit_with_its_first_bytes()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "legacy-big");
        await ProduceAsync(client, "legacy-big", 0, Batch(1, prefix: new string('x', 2000)));
        for (short version = 0; version <= 2; version++)
        {
            var response = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, version, Request(0, 100, ("legacy-big", 0)));
            var (messages, partial) = Parse(response.Responses[0].Partitions[0].Records);
            Assert.Empty(messages);
            Assert.Equal(100, partial);
        }
    }

    [Fact]
    public async Task V3_returns_the_first_oversized_message_whole_and_bounds_the_rest_by_max_bytes()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "legacy-a");
        await CreateTopicAsync(client, "legacy-b");
        await ProduceAsync(client, "legacy-a", 0, Batch(1, prefix: new string('x', 2000)));
        await ProduceAsync(client, "legacy-b", 0, Batch(3));
        var response = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 3, Request(500, 100, ("legacy-a", 0), ("legacy-b", 0)));
        var (first, firstPartial) = Parse(response.Responses[0].Partitions[0].Records);
        Assert.Single(first);
        Assert.True(first[0].Size > 2000);
        Assert.Equal(0, firstPartial);
        // The response's max bytes are spent: the second partition gets nothing, not a partial message.
        Assert.Equal(0, response.Responses[1].Partitions[0].Records!.Value.Length);

        var roomy = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 3, Request(1 << 20, 1 << 20, ("legacy-b", 0)));
        var (messages, _) = Parse(roomy.Responses[0].Partitions[0].Records);
        Assert.Equal(3, messages.Count);
        // A limit that fits two converted messages returns exactly two.
        var limited = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 3, Request(1 << 20, messages[0].Size + messages[1].Size + 5, ("legacy-b", 0)));
        Assert.Equal(2, Parse(limited.Responses[0].Partitions[0].Records).Messages.Count);
    }

    [Fact]
    public async Task ApiVersions_advertises_fetch_from_version_0()
    {
        await using var client = await ConnectAsync();
        var response = await client.RequestAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest { ClientSoftwareName = "t", ClientSoftwareVersion = "1" });
        var fetch = response.ApiKeys.Single(k => k.ApiKey == (short)ApiKey.Fetch);
        Assert.Equal((0, 16), (fetch.MinVersion, fetch.MaxVersion));
    }
}
