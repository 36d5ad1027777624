using Rill.Client.Consuming;
using Rill.Protocol.Records;

namespace Rill.Client.Tests.Transactions;

/// <summary>
/// The consumer's read_committed filter over one fetch response: transactional batches of a producer
/// whose aborted transaction began at or before them are skipped until that producer's abort marker;
/// markers are never handed out; the position moves past skipped batches.
/// </summary>
public class ReadCommittedFilterTests
{
    private static byte[] Data(long baseOffset, long producerId, bool transactional, params string[] values)
        => RecordBatchBuilder.Build(values.Select(v => new RecordData(1, null, System.Text.Encoding.UTF8.GetBytes(v))).ToList(),
            new BatchOptions(BaseOffset: baseOffset, ProducerId: producerId, ProducerEpoch: 0, BaseSequence: 0, Transactional: transactional));

    private static byte[] Marker(long offset, long producerId, bool commit)
    {
        byte[] key = [0, 0, 0, (byte)(commit ? 1 : 0)];
        byte[] value = [0, 0, 0, 0, 0, 5];
        return RecordBatchBuilder.Build([new RecordData(1, key, value)],
            new BatchOptions(BaseOffset: offset, ProducerId: producerId, ProducerEpoch: 0, Transactional: true, Control: true));
    }

    // 0-1 producer 1 (aborted), 2-3 producer 2 (committed), 4 abort marker of 1, 5 commit marker of 2,
    // 6-7 producer 1 again (a later transaction, committed at 9), 8 a non-transactional record, 9 commit of 1.
    private static readonly byte[] Log =
    [
        .. Data(0, 1, true, "a0", "a1"), .. Data(2, 2, true, "c2", "c3"), .. Marker(4, 1, commit: false), .. Marker(5, 2, commit: true),
        .. Data(6, 1, true, "c6", "c7"), .. Data(8, -1, false, "p8"), .. Marker(9, 1, commit: true),
    ];

    private static (List<long> Offsets, long Next) Read((long, long)[]? aborted)
    {
        var state = new PartitionState(new TopicPartition("t", 0)) { Position = 0 };
        var fetched = new FetchedRecords(state, 0, Log, aborted);
        var offsets = new List<long>();
        while (fetched.TryNext(out RecordView record))
        {
            offsets.Add(record.Offset);
        }
        return (offsets, fetched.NextOffset);
    }

    [Fact]
    public void Read_committed_skips_the_aborted_transaction_and_every_marker()
    {
        var (offsets, next) = Read([(1L, 0L)]);
        Assert.Equal([2L, 3L, 6L, 7L, 8L], offsets);
        Assert.Equal(10, next);
    }

    [Fact]
    public void Read_uncommitted_skips_only_the_markers()
    {
        var (offsets, next) = Read(null);
        Assert.Equal([0L, 1L, 2L, 3L, 6L, 7L, 8L], offsets);
        Assert.Equal(10, next);
    }

    [Fact]
    public void An_aborted_transaction_of_another_producer_does_not_hide_this_one()
    {
        var (offsets, _) = Read([(3L, 0L)]);
        Assert.Equal([0L, 1L, 2L, 3L, 6L, 7L, 8L], offsets);
    }

    [Fact]
    public void The_producer_is_hidden_again_only_by_a_later_aborted_transaction()
    {
        // Producer 1 aborted at 0 and again from 6: both of its transactions are hidden.
        var (offsets, _) = Read([(1L, 0L), (1L, 6L)]); // in first-offset order, as the fetcher sorts them
        Assert.Equal([2L, 3L, 8L], offsets);
    }
}
