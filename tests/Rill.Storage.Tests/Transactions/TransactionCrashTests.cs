using Rill.Storage.Producers;
using static Rill.Storage.Tests.Transactions.TransactionalAppendTests;

namespace Rill.Storage.Tests.Transactions;

/// <summary>
/// A crash at any byte of the last writes of a transactional log: after recovery the last stable offset, the open
/// transactions and the aborted transactions are exactly those of the whole batches that survived.
/// </summary>
public sealed class TransactionCrashTests
{
    private static readonly Func<byte[]>[] Writes =
    [
        () => TestBatch.Transactional(2, 1000, P1, 0, 0),
        () => TestBatch.Create(1, 1000),
        () => TestBatch.Transactional(3, 1000, P2, 0, 0),
        () => ControlRecord.BuildMarker(P1, 0, false, 0, 1000),
        () => TestBatch.Transactional(1, 1000, P1, 0, 2),
        () => ControlRecord.BuildMarker(P2, 0, true, 0, 1000),
        () => ControlRecord.BuildMarker(P1, 0, false, 0, 1000),
    ];

    private static (long Lso, int Open, List<AbortedTransaction>? Aborted) State(PartitionLog log)
        => (log.LastStableOffset, log.OngoingTransactionCount, log.CollectAbortedTransactions(0, log.LogEndOffset));

    [Fact]
    public void Recovery_at_every_cut_of_the_last_three_writes_matches_the_batches_that_survived()
    {
        using var dir = new TempDirectory();
        string source = dir.Sub("source");
        var sizes = new List<long> { 0 };
        PartitionLog crashed = Open(source);
        foreach (Func<byte[]> write in Writes)
        {
            Assert.Equal(Rill.Protocol.ErrorCode.None, crashed.Append(write()).Error);
            sizes.Add(crashed.SizeInBytes);
        }
        crashed.CloseWithoutCleanShutdown();

        var expected = new Dictionary<int, (long, int, List<AbortedTransaction>?)>();
        for (int whole = Writes.Length - 3; whole <= Writes.Length; whole++)
        {
            using PartitionLog reference = Open(dir.Sub($"ref-{whole}"));
            for (int i = 0; i < whole; i++) reference.Append(Writes[i]());
            expected[whole] = State(reference);
        }

        int checkedCuts = 0;
        for (long cut = sizes[Writes.Length - 3]; cut <= sizes[^1]; cut += cut % 5 == 0 ? 1 : 3)
        {
            string copy = dir.Sub($"cut-{cut}");
            Directory.CreateDirectory(copy);
            foreach (string f in Directory.GetFiles(source)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
            using (var log = new FileStream(LogFileNames.LogFile(copy, 0), FileMode.Open)) log.SetLength(cut);

            int whole = sizes.FindLastIndex(s => s <= cut);
            PartitionLog recovered = Open(copy);
            var (lso, open, aborted) = State(recovered);
            recovered.Close();
            var (eLso, eOpen, eAborted) = expected[whole];
            Assert.True(eLso == lso, $"cut at {cut}: LSO {lso}, expected {eLso}");
            Assert.Equal(eOpen, open);
            Assert.Equal(eAborted, aborted);
            checkedCuts++;
            Directory.Delete(copy, recursive: true);
        }
        Assert.True(checkedCuts > 50);
    }
}
