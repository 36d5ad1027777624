using System.Runtime.ExceptionServices;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests;

/// <summary>
/// Long-polling fetches (MaxWaitMs) end by an append or by their timeout. The timeout is the ordinary end of a
/// poll on an idle partition (every idle consumer, twice a second with fetch.wait.max.ms=500), so it must cost
/// no exception.
/// </summary>
public class FetchLongPollTests : BrokerTestBase
{
    [Fact]
    public async Task An_idle_long_poll_times_out_without_throwing()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "idle-polls");
        int thrown = 0;
        void Count(object? sender, FirstChanceExceptionEventArgs e)
        {
            // Only this broker's wait (the handler runs on the throwing thread, so its stack is the thrower's):
            // other tests in the process may throw their own TimeoutExceptions.
            if (e.Exception is TimeoutException && Environment.StackTrace.Contains("PartitionSignals", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref thrown);
            }
        }
        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            for (int i = 0; i < 5; i++)
            {
                var started = DateTime.UtcNow;
                var result = await FetchAsync(client, "idle-polls", 0, 0, maxWaitMs: 50);
                Assert.Equal(0, result.ErrorCode);
                Assert.Empty(BatchBaseOffsets(result.Records));
                Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(40), "the fetch waited for MaxWaitMs");
            }
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }
        Assert.Equal(0, thrown);
    }

    [Fact]
    public async Task A_long_poll_of_several_partitions_wakes_on_an_append_to_any_of_them()
    {
        await using var client = await ConnectAsync();
        await using var producer = await ConnectAsync();
        await CreateTopicAsync(client, "many-polls", partitions: 3);
        var request = new FetchRequest { MaxWaitMs = 30_000, MinBytes = 1, MaxBytes = 1 << 20 };
        var topic = new FetchRequest.FetchTopic { Topic = "many-polls" };
        for (int p = 0; p < 3; p++)
        {
            topic.Partitions.Add(new FetchRequest.FetchPartition { Partition = p, FetchOffset = 0, PartitionMaxBytes = 1 << 20 });
        }
        request.Topics.Add(topic);
        var started = DateTime.UtcNow;
        Task<FetchResponse> waiting = client.RequestAsync<FetchResponse>(ApiKey.Fetch, 11, request);
        var partition2 = Broker.Host.Broker.Topics.Find("many-polls")!.GetPartition(2)!;
        await Eventually.TrueAsync(() => partition2.Appended.HasWaiters || waiting.IsCompleted, "the fetch never parked");
        Assert.False(waiting.IsCompleted);
        await ProduceAsync(producer, "many-polls", 2, Batch(1));
        FetchResponse response = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(25), "woken by the append, not by MaxWaitMs");
        var answered = response.Responses.Single().Partitions.Single(p => p.PartitionIndex == 2);
        Assert.Equal([0L], BatchBaseOffsets(answered.Records));
    }
}
