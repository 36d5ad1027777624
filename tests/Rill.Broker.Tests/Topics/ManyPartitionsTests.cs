using Rill.Protocol;
using Rill.Broker.Topics;

namespace Rill.Broker.Tests.Topics;

/// <summary>A 10,000-partition topic: created in one request, every partition usable, all of it back after a restart, and only written partitions on disk.</summary>
public class ManyPartitionsTests : BrokerTestBase
{
    private const int Count = 10_000;

    [Fact]
    public async Task A_topic_of_ten_thousand_partitions_is_created_usable_and_complete_after_a_restart()
    {
        // Created directly, not over the wire: on a loaded CI machine the request may outlast the wire client's timeout.
        var created = Broker.Host.Broker.Topics.Create("wide", Count, 1, [], validateOnly: false);
        Assert.Equal(ErrorCode.None, created.Error);
        await using (var client = await ConnectAsync())
        {
            Assert.Equal(0, (await ProduceAsync(client, "wide", Count - 1, Batch(2))).ErrorCode);
            Assert.Equal(0, (await ProduceAsync(client, "wide", 0, Batch(1))).ErrorCode);
        }

        await Broker.RestartAsync();

        await using var again = await ConnectAsync();
        Topic wide = Broker.Host.Broker.Topics.Find("wide")!;
        Assert.Equal(created.TopicId, wide.Id);
        Assert.Equal(Enumerable.Range(0, Count), wide.Partitions.Select(p => p.Index));
        string dir = Broker.Host.Broker.Topics.LogDirectory;
        // A partition gets its directory at its first write: only the two written ones have one (the topic list
        // in rill-topics.json is what makes the other 9,998 come back).
        Assert.Equal(["wide-0", $"wide-{Count - 1}"], Directory.EnumerateDirectories(dir, "wide-*").Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await FetchAsync(again, "wide", Count - 1, 0)).HighWatermark);
        Assert.Equal(1, (await FetchAsync(again, "wide", 0, 0)).HighWatermark);
        Assert.Equal(0, (await FetchAsync(again, "wide", Count / 2, 0)).HighWatermark);
        Assert.Equal(0, (await ProduceAsync(again, "wide", Count / 2, Batch(1))).ErrorCode);
    }
}
