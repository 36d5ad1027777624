using Rill.Storage.Producers;
using Rill.Storage.Segments;

namespace Rill.Storage.Tests.Transactions;

/// <summary>The .txnindex in Kafka's layout and the last-stable-offset bookkeeping of open transactions.</summary>
public sealed class TransactionIndexTests
{
    [Fact]
    public void An_entry_is_34_bytes_in_Kafkas_layout()
    {
        byte[] bytes = TransactionIndex.Encode(new AbortedTxn(ProducerId: 7, FirstOffset: 10, LastOffset: 20, LastStableOffset: 15));
        Assert.Equal(
            new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 15 },
            bytes);
    }

    [Fact]
    public void Flushed_entries_load_back_and_a_torn_tail_is_dropped()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "00000000000000000000.txnindex");
        var index = new TransactionIndex();
        index.Append(new AbortedTxn(1, 0, 5, 0));
        index.Flush(path);
        index.Append(new AbortedTxn(2, 3, 9, 3));
        index.Flush(path);
        Assert.Equal(2 * TransactionIndex.EntrySize, new FileInfo(path).Length);
        Assert.Equal(index.Entries, TransactionIndex.Load(path).Entries);

        using (var f = File.OpenWrite(path))
        {
            f.Seek(0, SeekOrigin.End);
            f.Write(new byte[10]); // a crash mid-entry
        }
        Assert.Equal(index.Entries, TransactionIndex.Load(path).Entries);
        Assert.Empty(TransactionIndex.Load(Path.Combine(dir.Path, "missing.txnindex")).Entries);
    }

    [Fact]
    public void Collect_returns_the_aborted_transactions_overlapping_the_fetched_range()
    {
        var index = new TransactionIndex();
        index.Append(new AbortedTxn(1, 0, 4, 0));
        index.Append(new AbortedTxn(2, 6, 10, 6));
        index.Append(new AbortedTxn(3, 12, 14, 20));
        var found = new List<AbortedTxn>();
        bool complete = index.Collect(fetchOffset: 5, upperBound: 12, found);
        Assert.Equal([2L], found.Select(t => t.ProducerId));
        Assert.True(complete, "the entry with LSO 20 shows no later segment can add to [5, 12)");

        found.Clear();
        Assert.False(new TransactionIndex().Collect(0, 100, found));
        index.TruncateTo(10);
        Assert.Equal([1L], index.Entries.Select(t => t.ProducerId));
    }

    [Fact]
    public void The_last_stable_offset_is_the_first_offset_of_the_oldest_open_transaction()
    {
        var open = new OngoingTransactions();
        Assert.Equal(10, open.LastStableOffset(10));
        open.OnTransactionalData(producerId: 1, firstOffset: 3);
        open.OnTransactionalData(producerId: 2, firstOffset: 5);
        open.OnTransactionalData(producerId: 1, firstOffset: 7); // same transaction: keeps 3
        Assert.Equal(3, open.LastStableOffset(10));

        Assert.Null(open.OnMarker(producerId: 1, markerOffset: 8, commit: true, highWatermarkAfter: 9));
        Assert.Equal(5, open.LastStableOffset(9));
        var aborted = open.OnMarker(producerId: 2, markerOffset: 9, commit: false, highWatermarkAfter: 10);
        Assert.Equal(new AbortedTxn(2, 5, 9, 10), aborted);
        Assert.Equal(10, open.LastStableOffset(10));
        Assert.Null(open.OnMarker(producerId: 3, markerOffset: 11, commit: false, highWatermarkAfter: 12));
        Assert.Equal(0, open.Count);
    }
}
