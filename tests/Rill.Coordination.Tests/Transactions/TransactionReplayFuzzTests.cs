using Rill.Coordination.Transactions;
using Rill.Protocol;

namespace Rill.Coordination.Tests.Transactions;

/// <summary>
/// Random InitProducerId/AddPartitions/EndTxn/timeout sequences over a few ids: after every step
/// the state replayed from the log equals the live state, and markers are only written for
/// transactions that hold partitions.
/// </summary>
public sealed class TransactionReplayFuzzTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Replayed_state_matches_live_state_and_decisions_never_conflict(int seed)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider();
        var log = new MemoryTransactionLog();
        var markers = new RecordingMarkerWriter();
        var options = new TransactionCoordinatorOptions { MaxTimeoutMs = 10_000, AbortCheckIntervalMs = 1_000 };
        using var txn = new TransactionCoordinator(options, new CountingProducerIds(), markers, log, time);
        string[] ids = ["a", "b", "c"];
        var producers = new Dictionary<string, (long Pid, short Epoch)>();

        for (int step = 0; step < 150; step++)
        {
            string id = ids[random.Next(ids.Length)];
            switch (random.Next(5))
            {
                case 0:
                    var init = await txn.InitProducerIdAsync(id, 5_000);
                    if (init.Error == ErrorCode.None)
                    {
                        producers[id] = (init.ProducerId, init.ProducerEpoch);
                    }
                    break;
                case 1:
                case 2:
                    if (producers.TryGetValue(id, out var p))
                    {
                        await txn.AddPartitionsAsync(id, p.Pid, p.Epoch, [new TxnPartition("t", random.Next(4))]);
                    }
                    break;
                case 3:
                    if (producers.TryGetValue(id, out var q))
                    {
                        await txn.EndTransactionAsync(id, q.Pid, q.Epoch, commit: random.Next(2) == 0);
                    }
                    break;
                default:
                    time.Advance(TimeSpan.FromMilliseconds(random.Next(500, 3_000)));
                    break;
            }
            foreach (string each in ids)
            {
                await Eventually.TrueAsync(async () =>
                    (await txn.DescribeAsync(each))?.State is not (TransactionState.PrepareCommit or TransactionState.PrepareAbort),
                    $"{each} completes its markers");
            }

            using var replayed = new TransactionCoordinator(options, new CountingProducerIds(1_000_000), new RecordingMarkerWriter(), null, time);
            replayed.BeginLoading();
            replayed.Load(log.Records);
            foreach (string each in ids)
            {
                var live = await txn.DescribeAsync(each);
                var back = await replayed.DescribeAsync(each);
                Assert.Equal(live is null, back is null);
                if (live is not null)
                {
                    Assert.Equal((live.State, live.ProducerId, live.ProducerEpoch, live.StartTimestampMs),
                        (back!.State, back.ProducerId, back.ProducerEpoch, back.StartTimestampMs));
                    Assert.Equal(live.Partitions, back.Partitions);
                }
            }
        }

        Assert.NotEmpty(markers.Written);
        Assert.All(markers.Written, w => Assert.NotEmpty(w.Partitions));
    }
}
