using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests.Topics;

/// <summary>A 10,000-partition topic: created in one request, every partition usable, all of it back after a restart.</summary>
public class ManyPartitionsTests : BrokerTestBase
{
    private const int Count = 10_000;

    [Fact]
    public async Task A_topic_of_ten_thousand_partitions_is_created_usable_and_complete_after_a_restart()
    {
        await using (var client = await ConnectAsync())
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            await CreateTopicAsync(client, "wide", partitions: Count);
            Console.WriteLine($"created {Count} partitions in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
            Assert.Equal(0, (await ProduceAsync(client, "wide", Count - 1, Batch(2))).ErrorCode);
            Assert.Equal(0, (await ProduceAsync(client, "wide", 0, Batch(1))).ErrorCode);
        }

        await Broker.RestartAsync();

        await using var again = await ConnectAsync();
        var metadata = await again.RequestAsync<MetadataResponse>(ApiKey.Metadata, 9,
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "wide" }] });
        Assert.Equal(Count, metadata.Topics[0].Partitions.Count);
        Assert.Equal(Enumerable.Range(0, Count), metadata.Topics[0].Partitions.Select(p => p.PartitionIndex).Order());
        string dir = Broker.Host.Broker.Topics.LogDirectory;
        Assert.Equal(Count, Directory.EnumerateDirectories(dir, "wide-*").Count());
        Assert.Equal(2, (await FetchAsync(again, "wide", Count - 1, 0)).HighWatermark);
        Assert.Equal(1, (await FetchAsync(again, "wide", 0, 0)).HighWatermark);
        Assert.Equal(0, (await FetchAsync(again, "wide", Count / 2, 0)).HighWatermark);
        Assert.Equal(0, (await ProduceAsync(again, "wide", Count / 2, Batch(1))).ErrorCode);
    }
}
