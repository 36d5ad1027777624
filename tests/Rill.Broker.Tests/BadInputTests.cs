using System.Buffers.Binary;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests;

/// <summary>
/// Garbage, oversized, truncated and invalid requests: each gets an error code or a closed
/// connection; the broker keeps serving other connections and nothing stored changes.
/// </summary>
public class BadInputTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string>? Properties => new Dictionary<string, string>
    {
        ["socket.request.max.bytes"] = "1048576",
    };

    private async Task AssertStillServesAsync()
    {
        await using var healthy = await ConnectAsync();
        var versions = await healthy.RequestAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest { ClientSoftwareName = "t", ClientSoftwareVersion = "1" });
        Assert.Equal(0, versions.ErrorCode);
    }

    [Fact]
    public async Task Garbage_bytes_close_the_connection_only()
    {
        await using var client = await ConnectAsync();
        var random = new Random(42);
        byte[] garbage = new byte[4096];
        random.NextBytes(garbage);
        BinaryPrimitives.WriteInt32BigEndian(garbage, 4092);   // a plausible size, then noise
        await client.SendRawAsync(garbage);
        Assert.True(await client.IsClosedByPeerAsync());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Size_prefix_over_socket_request_max_bytes_is_refused_before_buffering()
    {
        await using var client = await ConnectAsync();
        byte[] prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, 1_048_577);
        await client.SendRawAsync(prefix);
        Assert.True(await client.IsClosedByPeerAsync());

        await using var negative = await ConnectAsync();
        BinaryPrimitives.WriteInt32BigEndian(prefix, -5);
        await negative.SendRawAsync(prefix);
        Assert.True(await negative.IsClosedByPeerAsync());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Truncated_frame_then_hang_up_leaves_the_broker_serving()
    {
        byte[] frame = WireClient.Frame(ApiKey.Metadata, 9, new MetadataRequest { Topics = null }, 1);
        for (int cut = 1; cut < frame.Length; cut += 3)
        {
            await using var client = await ConnectAsync();
            await client.SendRawAsync(frame[..cut]);
        }
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_frame_whose_body_is_truncated_inside_a_field_closes_the_connection()
    {
        await using var client = await ConnectAsync();
        byte[] frame = WireClient.Frame(ApiKey.Metadata, 1, new MetadataRequest { Topics = [new() { Name = "abcdef" }] }, 7);
        // Shrink the size prefix so the topic name's length points past the end of the frame.
        byte[] shortened = frame[..^3];
        BinaryPrimitives.WriteInt32BigEndian(shortened, shortened.Length - 4);
        await client.SendRawAsync(shortened);
        Assert.True(await client.IsClosedByPeerAsync());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Unknown_api_key_closes_the_connection()
    {
        await using var client = await ConnectAsync();
        byte[] frame = WireClient.Frame(ApiKey.ApiVersions, 0, new ApiVersionsRequest(), 3);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), 1000);
        await client.SendRawAsync(frame);
        Assert.True(await client.IsClosedByPeerAsync());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Unsupported_api_versions_version_is_answered_in_v0_with_the_supported_list()
    {
        await using var client = await ConnectAsync();
        byte[] frame = WireClient.Frame(ApiKey.ApiVersions, 3, new ApiVersionsRequest { ClientSoftwareName = "future", ClientSoftwareVersion = "9" }, 11);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), 99);
        await client.SendRawAsync(frame);
        byte[] response = (await client.ReadFrameAsync())!;
        var parsed = WireClient.Parse<ApiVersionsResponse>(response, ApiKey.ApiVersions, 0, 11);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, parsed.ErrorCode);
        Assert.Contains(parsed.ApiKeys, k => k.ApiKey == (short)ApiKey.ApiVersions && k.MaxVersion == 4);
        Assert.Contains(parsed.ApiKeys, k => k.ApiKey == (short)ApiKey.Produce && k.MinVersion == 0);
    }

    [Fact]
    public async Task Unsupported_version_of_another_api_closes_the_connection()
    {
        await using var client = await ConnectAsync();
        byte[] frame = WireClient.Frame(ApiKey.Metadata, 12, new MetadataRequest(), 5);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), 42);
        await client.SendRawAsync(frame);
        Assert.True(await client.IsClosedByPeerAsync());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Batches_with_a_wrong_crc_or_lengths_are_refused_and_nothing_is_stored()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "bad-batches");
        Assert.Equal(0, (await ProduceAsync(client, "bad-batches", 0, Batch(3))).ErrorCode);

        byte[] wrongCrc = Batch(3);
        wrongCrc[^1] ^= 0xFF;
        Assert.Equal((short)ErrorCode.CorruptMessage, (await ProduceAsync(client, "bad-batches", 0, wrongCrc)).ErrorCode);

        byte[] longer = Batch(3);
        BinaryPrimitives.WriteInt32BigEndian(longer.AsSpan(8), longer.Length + 100);
        Assert.Equal((short)ErrorCode.CorruptMessage, (await ProduceAsync(client, "bad-batches", 0, longer)).ErrorCode);

        byte[] shorter = Batch(3);
        BinaryPrimitives.WriteInt32BigEndian(shorter.AsSpan(8), 20);
        Assert.Equal((short)ErrorCode.CorruptMessage, (await ProduceAsync(client, "bad-batches", 0, shorter)).ErrorCode);

        byte[] truncated = Batch(3)[..40];
        Assert.Equal((short)ErrorCode.CorruptMessage, (await ProduceAsync(client, "bad-batches", 0, truncated)).ErrorCode);

        byte[] trailing = [.. Batch(2), 1, 2, 3];
        Assert.Equal((short)ErrorCode.CorruptMessage, (await ProduceAsync(client, "bad-batches", 0, trailing)).ErrorCode);

        var fetched = await FetchAsync(client, "bad-batches", 0, 0);
        Assert.Equal(3, fetched.HighWatermark);
        Assert.Equal([0L], BatchBaseOffsets(fetched.Records));
    }

    [Fact]
    public async Task Produce_to_unknown_topic_or_partition_and_bad_acks_get_error_codes()
    {
        await using var client = await ConnectAsync();
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await ProduceAsync(client, "no-such-topic", 0, Batch(1))).ErrorCode);
        await CreateTopicAsync(client, "two-partitions", 2);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await ProduceAsync(client, "two-partitions", 2, Batch(1))).ErrorCode);
        var badAcks = await client.RequestAsync<ProduceResponse>(ApiKey.Produce, 9, Produce("two-partitions", 0, Batch(1), acks: 2));
        Assert.Equal((short)ErrorCode.InvalidRequiredAcks, badAcks.Responses[0].PartitionResponses[0].ErrorCode);
    }

    [Fact]
    public async Task Oversized_batch_is_message_too_large()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "small-max", 1, ("max.message.bytes", "200"));
        var result = await ProduceAsync(client, "small-max", 0, Batch(20, prefix: new string('x', 50)));
        Assert.Equal((short)ErrorCode.MessageTooLarge, result.ErrorCode);
        Assert.Equal(0, (await FetchAsync(client, "small-max", 0, 0)).HighWatermark);
    }
}
