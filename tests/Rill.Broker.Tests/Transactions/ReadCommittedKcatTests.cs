using Rill.Protocol;
using Rill.Protocol.Records;
using Rill.Storage.Producers;

namespace Rill.Broker.Tests.Transactions;

/// <summary>
/// librdkafka (kcat 2.0.2) as a read_committed consumer of interleaved transactions: it must drop exactly the aborted
/// records using the broker's aborted-transactions list, and stop at the last stable offset. Transactional batches and
/// markers are appended to the log as the coordinator's marker writer does.
/// </summary>
public sealed class ReadCommittedKcatTests : BrokerTestBase
{
    private static byte[] Txn(long pid, int seq, params string[] values)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return RecordBatchBuilder.Build(values.Select(v => new RecordData(now, null, System.Text.Encoding.UTF8.GetBytes(v))).ToList(),
            new BatchOptions(ProducerId: pid, ProducerEpoch: 0, BaseSequence: seq, Transactional: true));
    }

    private static byte[] Marker(long pid, bool commit)
        => ControlRecord.BuildMarker(pid, 0, commit, 0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    private Task<string> ConsumeAsync(string topic, string isolation)
        => ExternalTool.RunOkAsync("kcat", ["-b", Broker.BootstrapServers, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e",
            "-X", $"isolation.level={isolation}", "-f", "%s\\n"], timeout: TimeSpan.FromSeconds(60));

    [Fact]
    public async Task Kcat_read_committed_skips_aborted_records_and_stops_at_the_open_transaction()
    {
        await using WireClient client = await ConnectAsync();
        await CreateTopicAsync(client, "kcat-rc");
        var log = Broker.Host.Broker.Topics.Find("kcat-rc")!.Partitions[0].Log;
        void Append(byte[] batch) => Assert.Equal(ErrorCode.None, log.Append(batch).Error);

        Append(Txn(1, 0, "c0", "c1"));
        Append(Txn(2, 0, "a0"));
        Assert.Equal(0, (await ProduceAsync(client, "kcat-rc", 0, Batch(1, prefix: "plain", keys: false))).ErrorCode);
        Append(Txn(1, 2, "c2"));
        Append(Txn(2, 1, "a1", "a2"));
        Append(Marker(2, commit: false));
        Append(Txn(3, 0, "b0"));
        Append(Marker(1, commit: true));
        Append(Marker(3, commit: false));
        Assert.Equal(0, (await ProduceAsync(client, "kcat-rc", 0, Batch(1, prefix: "tail", keys: false))).ErrorCode);
        Append(Txn(4, 0, "open0")); // never ended: read_committed stops before it
        Assert.Equal(0, (await ProduceAsync(client, "kcat-rc", 0, Batch(1, prefix: "after", keys: false))).ErrorCode);

        string committed = await ConsumeAsync("kcat-rc", "read_committed");
        Assert.Equal(["c0", "c1", "plain0", "c2", "tail0"], committed.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        string uncommitted = await ConsumeAsync("kcat-rc", "read_uncommitted");
        Assert.Equal(["c0", "c1", "a0", "plain0", "c2", "a1", "a2", "b0", "tail0", "open0", "after0"],
            uncommitted.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        Append(Marker(4, commit: true));
        string all = await ConsumeAsync("kcat-rc", "read_committed");
        Assert.Equal(["c0", "c1", "plain0", "c2", "tail0", "open0", "after0"], all.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
