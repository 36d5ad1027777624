using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests.FetchSessions;

/// <summary>Fetch sessions (KIP-227) over the wire: raw Fetch requests as a session-using client sends them.</summary>
public class FetchSessionWireTests : BrokerTestBase
{
    private static FetchRequest Request(int sessionId, int epoch, string topic, params (int Partition, long Offset)[] partitions)
    {
        var request = new FetchRequest { MaxWaitMs = 0, MinBytes = 0, MaxBytes = 1 << 20, SessionId = sessionId, SessionEpoch = epoch };
        if (partitions.Length > 0)
        {
            var data = new FetchRequest.FetchTopic { Topic = topic };
            foreach (var (partition, offset) in partitions)
            {
                data.Partitions.Add(new FetchRequest.FetchPartition { Partition = partition, FetchOffset = offset, PartitionMaxBytes = 1 << 20 });
            }
            request.Topics.Add(data);
        }
        return request;
    }

    private static Dictionary<int, FetchResponse.PartitionData> ByPartition(FetchResponse response)
        => response.Responses.SelectMany(t => t.Partitions).ToDictionary(p => p.PartitionIndex);

    private static int RecordsLength(FetchResponse.PartitionData data) => data.Records?.Length ?? 0;

    [Fact]
    public async Task A_full_fetch_with_epoch_0_creates_a_session_and_incremental_fetches_answer_only_partitions_with_news()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "sess", partitions: 3);
        await ProduceAsync(client, "sess", 0, Batch(2));
        await ProduceAsync(client, "sess", 1, Batch(3));

        var full = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(0, 0, "sess", (0, 0), (1, 0), (2, 0)));
        Assert.Equal(0, full.ErrorCode);
        Assert.NotEqual(0, full.SessionId);
        var all = ByPartition(full);
        Assert.Equal([0, 1, 2], all.Keys.Order());
        Assert.True(RecordsLength(all[0]) > 0);
        Assert.Equal(3, all[1].HighWatermark);
        Assert.Equal(0, all[2].HighWatermark);

        // The consumer moves its positions on partitions 0 and 1: nothing new anywhere, so nothing is answered.
        var quiet = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(full.SessionId, 1, "sess", (0, 2), (1, 3)));
        Assert.Equal(0, quiet.ErrorCode);
        Assert.Equal(full.SessionId, quiet.SessionId);
        Assert.Empty(quiet.Responses);

        // New records on partition 2, which the request does not name: only it is answered.
        await ProduceAsync(client, "sess", 2, Batch(4));
        var news = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(full.SessionId, 2, "sess"));
        var answered = ByPartition(news);
        Assert.Equal([2], answered.Keys);
        Assert.Equal(4, answered[2].HighWatermark);
        Assert.Equal([0L], BatchBaseOffsets(answered[2].Records));

        // Partition 2's position did not move in the session: its records are answered again.
        var again = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(full.SessionId, 3, "sess"));
        Assert.Equal([2], ByPartition(again).Keys);
        var moved = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(full.SessionId, 4, "sess", (2, 4)));
        Assert.Empty(moved.Responses);

        // New data on partition 0 after its new position.
        await ProduceAsync(client, "sess", 0, Batch(1));
        var partition0 = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(full.SessionId, 5, "sess"));
        Assert.Equal([0], ByPartition(partition0).Keys);
        Assert.Equal([2L], BatchBaseOffsets(ByPartition(partition0)[0].Records));
    }

    [Fact]
    public async Task A_wrong_epoch_or_an_unknown_session_is_answered_with_the_session_error_and_the_session_stays_usable()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "epochs", partitions: 1);
        var full = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(0, 0, "epochs", (0, 0)));
        Assert.NotEqual(0, full.SessionId);

        var ahead = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(full.SessionId, 2, "epochs"));
        Assert.Equal((short)ErrorCode.InvalidFetchSessionEpoch, ahead.ErrorCode);
        Assert.Equal(0, ahead.SessionId);
        Assert.Empty(ahead.Responses);

        Assert.Equal(0, (await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(full.SessionId, 1, "epochs"))).ErrorCode);
        var stale = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(full.SessionId, 1, "epochs"));
        Assert.Equal((short)ErrorCode.InvalidFetchSessionEpoch, stale.ErrorCode);
        Assert.Equal(0, (await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(full.SessionId, 2, "epochs"))).ErrorCode);

        int unknown = full.SessionId == int.MaxValue ? 1 : full.SessionId + 1;
        var missing = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(unknown, 1, "epochs"));
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, missing.ErrorCode);
        var noId = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(0, 1, "epochs"));
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, noId.ErrorCode);
    }

    [Fact]
    public async Task Forgotten_partitions_leave_the_session_added_ones_join_it_and_forgetting_all_closes_it()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "forget", partitions: 3);
        var full = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(0, 0, "forget", (0, 0), (1, 0)));
        int id = full.SessionId;

        var forget = Request(id, 1, "forget");
        forget.ForgottenTopicsData.Add(new FetchRequest.ForgottenTopic { Topic = "forget", Partitions = [1] });
        Assert.Empty((await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, forget)).Responses);

        await ProduceAsync(client, "forget", 1, Batch(1));
        await ProduceAsync(client, "forget", 2, Batch(1));
        Assert.Empty((await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(id, 2, "forget"))).Responses);

        var added = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(id, 3, "forget", (2, 0)));
        Assert.Equal([2], ByPartition(added).Keys);
        Assert.Equal(1, ByPartition(added)[2].HighWatermark);

        var forgetAll = Request(id, 4, "forget");
        forgetAll.ForgottenTopicsData.Add(new FetchRequest.ForgottenTopic { Topic = "forget", Partitions = [0, 2] });
        var closed = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, forgetAll);
        Assert.Equal(0, closed.ErrorCode);
        Assert.Equal(0, closed.SessionId);
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound,
            (await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(id, 5, "forget"))).ErrorCode);
    }

    [Fact]
    public async Task A_full_fetch_naming_a_session_closes_it_and_epoch_minus_1_creates_none()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "close", partitions: 1);
        var first = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(0, 0, "close", (0, 0)));

        var closing = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(first.SessionId, -1, "close", (0, 0)));
        Assert.Equal(0, closing.SessionId);
        Assert.Single(ByPartition(closing));
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound,
            (await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(first.SessionId, 1, "close"))).ErrorCode);

        var second = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(0, 0, "close", (0, 0)));
        var renewed = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(second.SessionId, 0, "close", (0, 0)));
        Assert.NotEqual(0, renewed.SessionId);
        Assert.NotEqual(second.SessionId, renewed.SessionId);
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound,
            (await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(second.SessionId, 1, "close"))).ErrorCode);

        // Fetch v6 has no sessions: always answered in full, session id 0.
        var v6 = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 6, Request(0, 0, "close", (0, 0)));
        Assert.Single(ByPartition(v6));
    }

    [Fact]
    public async Task Sessions_of_fetch_v13_are_keyed_by_topic_id_and_do_not_mix_with_older_versions()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "by-id", partitions: 2);
        Guid id = Broker.Host.Broker.Topics.Find("by-id")!.Id;
        Guid unknownId = Guid.NewGuid();
        var request = Request(0, 0, "", (0, 0), (1, 0));
        request.Topics[0].TopicId = id;
        request.Topics.Add(new FetchRequest.FetchTopic { TopicId = unknownId, Partitions = [new FetchRequest.FetchPartition { Partition = 0, PartitionMaxBytes = 1000 }] });
        var full = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 13, request);
        Assert.NotEqual(0, full.SessionId);
        Assert.Equal([id, unknownId], full.Responses.Select(t => t.TopicId));
        Assert.Equal((short)ErrorCode.UnknownTopicId, full.Responses[1].Partitions[0].ErrorCode);

        await ProduceAsync(client, "by-id", 1, Batch(2));
        var incremental = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 13, Request(full.SessionId, 1, ""));
        // Partition 1 of the known topic has records; the unknown topic id keeps answering its error.
        Assert.Equal([id, unknownId], incremental.Responses.Select(t => t.TopicId));
        Assert.Equal([1], incremental.Responses[0].Partitions.Select(p => p.PartitionIndex));
        Assert.Equal((short)ErrorCode.UnknownTopicId, incremental.Responses[1].Partitions[0].ErrorCode);

        var forget = Request(full.SessionId, 2, "");
        forget.ForgottenTopicsData.Add(new FetchRequest.ForgottenTopic { TopicId = unknownId, Partitions = [0] });
        var afterForget = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 13, forget);
        Assert.Equal([id], afterForget.Responses.Select(t => t.TopicId));

        var mixed = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(full.SessionId, 3, "by-id"));
        Assert.Equal((short)ErrorCode.FetchSessionTopicIdError, mixed.ErrorCode);
    }

    [Fact]
    public async Task An_incremental_fetch_waits_for_records_on_any_partition_of_the_session()
    {
        await using var client = await ConnectAsync();
        await using var producer = await ConnectAsync();
        await CreateTopicAsync(client, "long-poll", partitions: 2);
        var full = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Request(0, 0, "long-poll", (0, 0), (1, 0)));

        var waiting = Request(full.SessionId, 1, "long-poll");
        waiting.MaxWaitMs = 20_000;
        waiting.MinBytes = 1;
        Task<FetchResponse> fetch = client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, waiting);
        await Eventually.TrueAsync(() => Broker.Host.Broker.Topics.Find("long-poll")!.GetPartition(1)!.Appended.HasWaiters || fetch.IsCompleted,
            "the incremental fetch never parked");
        Assert.False(fetch.IsCompleted);
        await ProduceAsync(producer, "long-poll", 1, Batch(1));
        FetchResponse woken = await fetch.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal([1], ByPartition(woken).Keys);
        Assert.True(RecordsLength(ByPartition(woken)[1]) > 0);
    }
}

/// <summary>A cache of one slot: a second consumer's session is refused (answered in full, session id 0) while the first is in use.</summary>
public class FetchSessionSlotsWireTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string> Properties => new Dictionary<string, string>
    {
        ["max.incremental.fetch.session.cache.slots"] = "1",
    };

    [Fact]
    public async Task When_every_slot_holds_a_fresh_session_a_new_full_fetch_is_answered_without_a_session()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "slots", partitions: 1);
        await ProduceAsync(client, "slots", 0, Batch(1));
        var request = new FetchRequest { MaxWaitMs = 0, MinBytes = 0, MaxBytes = 1 << 20, SessionId = 0, SessionEpoch = 0 };
        request.Topics.Add(new FetchRequest.FetchTopic { Topic = "slots", Partitions = [new FetchRequest.FetchPartition { Partition = 0, PartitionMaxBytes = 1 << 20 }] });

        var first = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, request);
        Assert.NotEqual(0, first.SessionId);
        var second = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, request);
        Assert.Equal(0, second.SessionId);
        Assert.Equal(0, second.ErrorCode);
        Assert.True(second.Responses[0].Partitions[0].Records?.Length > 0);
        Assert.Equal(1, Broker.Host.Broker.FetchSessions.Count);
    }
}
