using Rill.Coordination.Transactions;

namespace Rill.Coordination.Tests.Transactions;

/// <summary>The __transaction_state record bytes, pinned to Kafka's TransactionLogKey/TransactionLogValue layouts.</summary>
public sealed class TransactionRecordsTests
{
    [Fact]
    public void The_key_is_version_0_and_the_transactional_id()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 2, (byte)'t', (byte)'x' }, TransactionRecords.Key("tx"));
        Assert.True(TransactionRecords.TryParseKey(TransactionRecords.Key("tx"), out string id));
        Assert.Equal("tx", id);
        // A __consumer_offsets-style key (version 2) is not a transaction key.
        Assert.False(TransactionRecords.TryParseKey(new byte[] { 0, 2, 0, 1, (byte)'g' }, out _));
    }

    [Fact]
    public void The_value_is_version_1_flexible_with_partitions_grouped_by_topic()
    {
        var m = new TransactionMetadata("tx")
        {
            ProducerId = 5, ProducerEpoch = 3, TimeoutMs = 60_000, State = TransactionState.Ongoing,
            StartTimestampMs = 100, LastUpdateTimestampMs = 200,
        };
        m.Partitions.Add(new TxnPartition("a", 1));
        m.Partitions.Add(new TxnPartition("a", 0));
        byte[] bytes = TransactionRecords.Value(m);
        byte[] expected =
        [
            0, 1,                         // version 1
            0, 0, 0, 0, 0, 0, 0, 5,       // producer id
            0, 3,                         // epoch
            0, 0, 0xEA, 0x60,             // timeout 60000
            1,                            // Ongoing
            2,                            // compact array: 1 topic
            2, (byte)'a',                 // compact string "a"
            3, 0, 0, 0, 0, 0, 0, 0, 1,    // partitions [0, 1]
            0,                            // topic's tagged fields
            0, 0, 0, 0, 0, 0, 0, 200,     // last update
            0, 0, 0, 0, 0, 0, 0, 100,     // start
            0,                            // tagged fields (defaults are not written)
        ];
        Assert.Equal(expected, bytes);

        var back = TransactionRecords.TryParseValue("tx", bytes)!;
        Assert.Equal((5L, (short)3, 60_000, TransactionState.Ongoing, 100L, 200L),
            (back.ProducerId, back.ProducerEpoch, back.TimeoutMs, back.State, back.StartTimestampMs, back.LastUpdateTimestampMs));
        Assert.Equal(m.Partitions.OrderBy(p => p.Partition).ToList(), back.Partitions.OrderBy(p => p.Partition).ToList());
    }

    [Fact]
    public void A_version_0_value_written_by_an_older_Kafka_loads()
    {
        byte[] v0 =
        [
            0, 0,
            0, 0, 0, 0, 0, 0, 0, 9,
            0, 1,
            0, 0, 0x27, 0x10,
            4,                            // CompleteCommit
            0xFF, 0xFF, 0xFF, 0xFF,       // null partitions
            0, 0, 0, 0, 0, 0, 0, 7,
            0, 0, 0, 0, 0, 0, 0, 6,
        ];
        var m = TransactionRecords.TryParseValue("old", v0)!;
        Assert.Equal((9L, (short)1, 10_000, TransactionState.CompleteCommit, 0), (m.ProducerId, m.ProducerEpoch, m.TimeoutMs, m.State, m.Partitions.Count));
        Assert.Null(TransactionRecords.TryParseValue("bad", new byte[] { 0, 1, 2 }));
    }
}
