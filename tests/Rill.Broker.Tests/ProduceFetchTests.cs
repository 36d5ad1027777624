using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests;

/// <summary>Produce, fetch, list offsets and idempotence semantics over the wire against an EmbeddedBroker.</summary>
public class ProduceFetchTests : BrokerTestBase
{
    [Fact]
    public async Task Offsets_are_assigned_in_order_and_a_fetch_inside_a_batch_returns_the_whole_batch()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "orders");
        Assert.Equal(0, (await ProduceAsync(client, "orders", 0, Batch(5))).BaseOffset);
        Assert.Equal(5, (await ProduceAsync(client, "orders", 0, Batch(3))).BaseOffset);

        var fromMiddle = await FetchAsync(client, "orders", 0, 2);
        Assert.Equal(8, fromMiddle.HighWatermark);
        Assert.Equal([0L, 5L], BatchBaseOffsets(fromMiddle.Records));
        var second = await FetchAsync(client, "orders", 0, 6);
        Assert.Equal([5L], BatchBaseOffsets(second.Records));
        var atEnd = await FetchAsync(client, "orders", 0, 8);
        Assert.Equal(0, atEnd.ErrorCode);
        Assert.Equal(0, atEnd.Records!.Value.Length);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, (await FetchAsync(client, "orders", 0, 9)).ErrorCode);
    }

    [Fact]
    public async Task Long_poll_waits_for_data_and_is_woken_by_an_append()
    {
        await using var consumer = await ConnectAsync();
        await using var producer = await ConnectAsync();
        await CreateTopicAsync(consumer, "waiting");
        var started = DateTime.UtcNow;
        Task<FetchResponse.PartitionData> fetch = FetchAsync(consumer, "waiting", 0, 0, maxWaitMs: 8000);
        await Eventually.TrueAsync(() => FetchIsParked("waiting") || fetch.IsCompleted, "the fetch never reached the broker");
        Assert.False(fetch.IsCompleted, "the fetch should wait for data");
        await ProduceAsync(producer, "waiting", 0, Batch(2));
        var result = await fetch;
        Assert.Equal([0L], BatchBaseOffsets(result.Records));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(7), "the append should wake the fetch before max.wait.ms");
    }

    [Fact]
    public async Task Min_bytes_zero_answers_at_once_and_min_bytes_waits_for_enough_data()
    {
        await using var client = await ConnectAsync();
        await using var producer = await ConnectAsync();
        await CreateTopicAsync(client, "min-bytes");
        var started = DateTime.UtcNow;
        var immediate = await FetchAsync(client, "min-bytes", 0, 0, maxWaitMs: 10_000, minBytes: 0);
        Assert.Empty(BatchBaseOffsets(immediate.Records));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8), "MinBytes 0 must not wait for MaxWaitMs");

        byte[] small = Batch(1);
        Task<FetchResponse.PartitionData> waiting = FetchAsync(client, "min-bytes", 0, 0, maxWaitMs: 10_000, minBytes: small.Length * 3);
        await Eventually.TrueAsync(() => FetchIsParked("min-bytes") || waiting.IsCompleted, "the fetch never reached the broker");
        await ProduceAsync(producer, "min-bytes", 0, small);
        // The append woke the fetch (and cleared the signal); it must read, find too little, and park again.
        await Eventually.TrueAsync(() => FetchIsParked("min-bytes") || waiting.IsCompleted, "the woken fetch neither parked again nor answered");
        Assert.False(waiting.IsCompleted, "one small batch is below MinBytes");
        await ProduceAsync(producer, "min-bytes", 0, Batch(1));
        await ProduceAsync(producer, "min-bytes", 0, Batch(1));
        Assert.Equal([0L, 1L, 2L], BatchBaseOffsets((await waiting).Records));
    }

    /// <summary>A long-polling fetch is parked on the partition's append signal.</summary>
    private bool FetchIsParked(string topic) => Broker.Host.Broker.Topics.Find(topic)?.GetPartition(0)?.Appended.HasWaiters == true;

    [Fact]
    public async Task Long_poll_returns_empty_after_max_wait()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "idle");
        var result = await FetchAsync(client, "idle", 0, 0, maxWaitMs: 300);
        Assert.Equal(0, result.ErrorCode);
        Assert.Empty(BatchBaseOffsets(result.Records));
    }

    [Fact]
    public async Task Idempotent_duplicate_gets_the_original_offset_and_a_gap_is_out_of_order()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "idem");
        var init = await client.RequestAsync<InitProducerIdResponse>(ApiKey.InitProducerId, 4, new InitProducerIdRequest { TransactionTimeoutMs = 60000 });
        Assert.Equal(0, init.ErrorCode);
        long pid = init.ProducerId;

        Assert.Equal(0, (await ProduceAsync(client, "idem", 0, Batch(4, producerId: pid, epoch: 0, sequence: 0))).BaseOffset);
        Assert.Equal(4, (await ProduceAsync(client, "idem", 0, Batch(2, producerId: pid, epoch: 0, sequence: 4))).BaseOffset);
        var duplicate = await ProduceAsync(client, "idem", 0, Batch(2, producerId: pid, epoch: 0, sequence: 4));
        Assert.Equal(0, duplicate.ErrorCode);
        Assert.Equal(4, duplicate.BaseOffset);
        var gap = await ProduceAsync(client, "idem", 0, Batch(1, producerId: pid, epoch: 0, sequence: 10));
        Assert.Equal((short)ErrorCode.OutOfOrderSequenceNumber, gap.ErrorCode);
        Assert.Equal(6, (await FetchAsync(client, "idem", 0, 0)).HighWatermark);

        var next = await client.RequestAsync<InitProducerIdResponse>(ApiKey.InitProducerId, 4, new InitProducerIdRequest { TransactionTimeoutMs = 60000 });
        Assert.NotEqual(pid, next.ProducerId);
    }

    [Fact]
    public async Task List_offsets_earliest_latest_by_time_and_max_timestamp()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "times");
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 10_000;
        for (int i = 0; i < 5; i++)
        {
            var data = new List<Rill.Protocol.Records.RecordData> { new(t0 + i * 1000, null, new byte[] { (byte)i }) };
            var produced = await ProduceAsync(client, "times", 0, Rill.Protocol.Records.RecordBatchBuilder.Build(data));
            Assert.Equal((0, (long)i), (produced.ErrorCode, produced.BaseOffset));
        }
        async Task<ListOffsetsResponse.ListOffsetsPartitionResponse> Query(long timestamp, short version = 8)
        {
            var request = new ListOffsetsRequest { ReplicaId = -1 };
            request.Topics.Add(new ListOffsetsRequest.ListOffsetsTopic { Name = "times", Partitions = [new() { PartitionIndex = 0, Timestamp = timestamp }] });
            var response = await client.RequestAsync<ListOffsetsResponse>(ApiKey.ListOffsets, version, request);
            return response.Topics[0].Partitions[0];
        }
        Assert.Equal(0, (await Query(-2)).Offset);
        Assert.Equal(5, (await Query(-1)).Offset);
        Assert.Equal(2, (await Query(t0 + 1500)).Offset);
        Assert.Equal(t0 + 2000, (await Query(t0 + 1500)).Timestamp);
        Assert.Equal(-1, (await Query(t0 + 100_000)).Offset);
        var max = await Query(-3);
        Assert.Equal((4L, t0 + 4000), (max.Offset, max.Timestamp));
        var v0 = await Query(-1, version: 0);
        Assert.Equal([5L], v0.OldStyleOffsets);
    }

    [Fact]
    public async Task Acks_zero_gets_no_response_but_the_data_is_stored()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "fire-and-forget");
        await client.SendAsync(ApiKey.Produce, 9, Produce("fire-and-forget", 0, Batch(3), acks: 0));
        // The next response on this connection belongs to the next request.
        var metadata = await client.RequestAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = [new() { Name = "fire-and-forget" }] });
        Assert.Equal(0, metadata.Topics[0].ErrorCode);
        Assert.Equal(3, (await FetchAsync(client, "fire-and-forget", 0, 0)).HighWatermark);
    }

    [Fact]
    public async Task Acks_zero_with_an_error_closes_the_connection()
    {
        await using var client = await ConnectAsync();
        await client.SendAsync(ApiKey.Produce, 9, Produce("no-such-topic-acks0", 0, Batch(1), acks: 0));
        Assert.True(await client.IsClosedByPeerAsync());
    }

    [Fact]
    public async Task Compacted_topic_rejects_records_without_keys()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "compacted", 1, ("cleanup.policy", "compact"));
        Assert.Equal((short)ErrorCode.InvalidRecord, (await ProduceAsync(client, "compacted", 0, Batch(2, keys: false))).ErrorCode);
        Assert.Equal(0, (await ProduceAsync(client, "compacted", 0, Batch(2, keys: true))).ErrorCode);
    }

    [Fact]
    public async Task Log_append_time_topics_stamp_the_broker_time()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "append-time", 1, ("message.timestamp.type", "LogAppendTime"));
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var result = await ProduceAsync(client, "append-time", 0, Batch(1));
        Assert.InRange(result.LogAppendTimeMs, before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000);
    }

    [Fact]
    public async Task Produce_v2_message_sets_of_magic_1_are_stored_as_v2_batches()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "legacy");
        long timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        byte[] set = [.. LegacyMessage(timestamp, "a", "first"), .. LegacyMessage(timestamp + 1, "b", "second")];
        var response = await client.RequestAsync<ProduceResponse>(ApiKey.Produce, 2, Produce("legacy", 0, set, acks: 1));
        Assert.Equal(0, response.Responses[0].PartitionResponses[0].ErrorCode);

        var fetched = await FetchAsync(client, "legacy", 0, 0);
        Assert.Equal(2, fetched.HighWatermark);
        var records = fetched.Records!.Value;
        Assert.Equal(2, records.Span[Rill.Protocol.Records.RecordBatchLayout.Magic]);
        Assert.Equal(ErrorCode.None, Rill.Protocol.Records.RecordBatchValidator.Validate(records.Span, requireKeys: true).Error);

        byte[] corrupt = LegacyMessage(timestamp, "c", "broken");
        corrupt[^1] ^= 1;
        var refused = await client.RequestAsync<ProduceResponse>(ApiKey.Produce, 2, Produce("legacy", 0, corrupt, acks: 1));
        Assert.Equal((short)ErrorCode.CorruptMessage, refused.Responses[0].PartitionResponses[0].ErrorCode);
    }

    /// <summary>offset, size, then a magic-1 message: crc, magic, attributes, timestamp, key, value.</summary>
    private static byte[] LegacyMessage(long timestamp, string key, string value)
    {
        byte[] k = System.Text.Encoding.UTF8.GetBytes(key), v = System.Text.Encoding.UTF8.GetBytes(value);
        int messageSize = 4 + 1 + 1 + 8 + 4 + k.Length + 4 + v.Length;
        byte[] entry = new byte[12 + messageSize];
        var span = entry.AsSpan();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(span[8..], messageSize);
        span[16] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(span[18..], timestamp);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(span[26..], k.Length);
        k.CopyTo(span[30..]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(span[(30 + k.Length)..], v.Length);
        v.CopyTo(span[(34 + k.Length)..]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(span[12..], Rill.Protocol.Records.Crc32.Compute(span[16..]));
        return entry;
    }
}
