using Rill.Coordination.Transactions;
using Rill.Protocol;

namespace Rill.Coordination.Tests.Transactions;

/// <summary>
/// Transactions v2 (KIP-890 part 2) in the state machine, on a fake clock: the epoch bumped at every end, the
/// previous epoch fenced, partitions added implicitly by a partition leader, retries, an exhausted epoch moving
/// to a new producer id, and the v2 state surviving a replay of __transaction_state.
/// </summary>
public sealed class TransactionsV2Tests : IDisposable
{
    private const short V2 = TransactionCoordinator.TransactionVersion2;
    private static readonly TxnPartition A0 = new("a", 0);
    private static readonly TxnPartition B1 = new("b", 1);

    private readonly FakeTimeProvider _time = new();
    private readonly MemoryTransactionLog _log = new();
    private readonly RecordingMarkerWriter _markers = new();
    private readonly CountingProducerIds _ids = new();
    private readonly TransactionCoordinatorOptions _options = new() { MaxTimeoutMs = 60_000, AbortCheckIntervalMs = 1_000 };
    private readonly TransactionCoordinator _txn;

    public TransactionsV2Tests() => _txn = New();

    private TransactionCoordinator New() => new(_options, _ids, _markers, _log, _time);

    public void Dispose() => _txn.Dispose();

    private static async Task WaitForState(TransactionCoordinator c, string id, TransactionState state) =>
        await Eventually.TrueAsync(async () => (await c.DescribeAsync(id))?.State == state, $"{id} reaches {state}");

    [Fact]
    public async Task Every_end_bumps_the_epoch_the_markers_carry_it_and_the_previous_epoch_is_fenced()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal(ErrorCode.None, await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0, B1], V2));
        Assert.Equal(TransactionState.Ongoing, (await _txn.DescribeAsync("t"))!.State);

        var end = await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true, V2);
        Assert.Equal(new EndTxnResult(ErrorCode.None, p.ProducerId, 1), end);
        await WaitForState(_txn, "t", TransactionState.CompleteCommit);
        var marker = Assert.Single(_markers.Written);
        Assert.Equal((p.ProducerId, (short)1, true), (marker.ProducerId, marker.Epoch, marker.Commit));
        Assert.Equal([A0, B1], marker.Partitions);

        // A late write of the ended transaction (epoch 0) cannot start or join a transaction: fenced.
        Assert.Equal(ErrorCode.ProducerFenced, await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0], V2));
        // The next transaction runs at epoch 1 and its abort moves to epoch 2.
        Assert.Equal(ErrorCode.None, await _txn.AddPartitionsAsync("t", p.ProducerId, 1, [B1], V2));
        Assert.Equal(new EndTxnResult(ErrorCode.None, p.ProducerId, 2), await _txn.EndTransactionAsync("t", p.ProducerId, 1, commit: false, V2));
        await WaitForState(_txn, "t", TransactionState.CompleteAbort);
        Assert.Equal((p.ProducerId, (short)2, false), (_markers.Written[1].ProducerId, _markers.Written[1].Epoch, _markers.Written[1].Commit));
        Assert.Equal([B1], _markers.Written[1].Partitions);
        Assert.Equal(2, (await _txn.DescribeAsync("t"))!.ProducerEpoch);
    }

    [Fact]
    public async Task A_retried_end_names_the_epoch_before_the_bump()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal(ErrorCode.None, await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0], V2));
        _markers.Hold = true;
        Assert.Equal(new EndTxnResult(ErrorCode.None, p.ProducerId, 1), await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true, V2));

        // Markers pending: the same decision is told to wait, the other one is illegal.
        Assert.Equal(ErrorCode.ConcurrentTransactions, (await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true, V2)).Error);
        Assert.Equal(ErrorCode.InvalidTxnState, (await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: false, V2)).Error);
        // The next transaction waits too (a partition leader turns this into a retriable error).
        Assert.Equal(ErrorCode.ConcurrentTransactions, await _txn.AddPartitionsAsync("t", p.ProducerId, 1, [A0], V2));
        _markers.Release();
        await WaitForState(_txn, "t", TransactionState.CompleteCommit);

        Assert.Equal(new EndTxnResult(ErrorCode.None, p.ProducerId, 1), await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true, V2));
        Assert.Equal(ErrorCode.InvalidTxnState, (await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: false, V2)).Error);
        // Two epochs back is not a retry.
        Assert.Equal(ErrorCode.None, await _txn.AddPartitionsAsync("t", p.ProducerId, 1, [A0], V2));
        Assert.Equal(ErrorCode.None, (await _txn.EndTransactionAsync("t", p.ProducerId, 1, commit: true, V2)).Error);
        await WaitForState(_txn, "t", TransactionState.CompleteCommit);
        Assert.Equal(ErrorCode.ProducerFenced, (await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true, V2)).Error);
        Assert.Equal(2, _markers.Count);
    }

    [Fact]
    public async Task Ending_a_transaction_nothing_was_added_to_bumps_the_epoch_without_markers()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal(new EndTxnResult(ErrorCode.None, p.ProducerId, 1), await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: false, V2));
        var state = (await _txn.DescribeAsync("t"))!;
        Assert.Equal((TransactionState.CompleteAbort, (short)1), (state.State, state.ProducerEpoch));
        Assert.Empty(_markers.Written);
        // Transactions v1 keeps Kafka's answer for an end without a transaction.
        Assert.Equal(ErrorCode.InvalidTxnState, await _txn.EndTransactionAsync("t2", (await _txn.InitProducerIdAsync("t2", 10_000)).ProducerId, 0, commit: true));
    }

    [Fact]
    public async Task Transactions_v1_ends_keep_the_epoch()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal(ErrorCode.None, await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0]));
        Assert.Equal(new EndTxnResult(ErrorCode.None, p.ProducerId, 0), await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true, 0));
        await WaitForState(_txn, "t", TransactionState.CompleteCommit);
        Assert.Equal(0, Assert.Single(_markers.Written).Epoch);
        Assert.Equal(ErrorCode.None, await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0]));
    }

    [Fact]
    public async Task A_v2_transaction_fenced_by_a_new_producer_answers_the_zombie_PRODUCER_FENCED()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal(ErrorCode.None, await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0], V2));
        Assert.Equal(ErrorCode.ConcurrentTransactions, (await _txn.InitProducerIdAsync("t", 10_000)).Error);
        await WaitForState(_txn, "t", TransactionState.CompleteAbort);
        Assert.Equal((p.ProducerId, (short)1, false), (_markers.Written[0].ProducerId, _markers.Written[0].Epoch, _markers.Written[0].Commit));

        Assert.Equal(ErrorCode.ProducerFenced, (await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true, V2)).Error);
        var next = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal((ErrorCode.None, p.ProducerId, (short)2), (next.Error, next.ProducerId, next.ProducerEpoch));
    }

    [Fact]
    public async Task An_exhausted_epoch_continues_with_a_new_producer_id_after_the_markers_and_survives_a_restart()
    {
        // Replayed state: producer 7 at epoch 32766, the last one a client may use.
        var m = new TransactionMetadata("t") { ProducerId = 7, ProducerEpoch = short.MaxValue - 1, TimeoutMs = 10_000, State = TransactionState.CompleteCommit };
        _txn.BeginLoading();
        _txn.Load([(TransactionRecords.Key("t"), TransactionRecords.Value(m))]);

        Assert.Equal(ErrorCode.None, await _txn.AddPartitionsAsync("t", 7, short.MaxValue - 1, [A0], V2));
        _markers.Hold = true;
        var end = await _txn.EndTransactionAsync("t", 7, short.MaxValue - 1, commit: true, V2);
        Assert.Equal(ErrorCode.None, end.Error);
        Assert.NotEqual(7, end.ProducerId);
        Assert.Equal(0, end.ProducerEpoch);
        // The markers carry the old producer id at the last epoch.
        Assert.Equal((7L, short.MaxValue), (_markers.Written[0].ProducerId, _markers.Written[0].Epoch));

        // A restart while the markers are pending: the replayed state completes to the new producer id.
        using var restarted = New();
        restarted.BeginLoading();
        restarted.Load(_log.Records);
        _markers.Release();
        await WaitForState(restarted, "t", TransactionState.CompleteCommit);
        Assert.Equal((end.ProducerId, (short)0), ((await restarted.DescribeAsync("t"))!.ProducerId, (await restarted.DescribeAsync("t"))!.ProducerEpoch));

        // A retry with the old id and epoch gets the new ones; the old id's late writes are refused.
        Assert.Equal(end, await restarted.EndTransactionAsync("t", 7, short.MaxValue - 1, commit: true, V2));
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, await restarted.AddPartitionsAsync("t", 7, short.MaxValue - 1, [A0], V2));
        Assert.Equal(ErrorCode.None, await restarted.AddPartitionsAsync("t", end.ProducerId, 0, [B1], V2));
        Assert.Equal(new EndTxnResult(ErrorCode.None, end.ProducerId, 1), await restarted.EndTransactionAsync("t", end.ProducerId, 0, commit: false, V2));
    }

    [Fact]
    public async Task The_v2_epoch_and_version_are_replayed_from_the_log()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal(ErrorCode.None, await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0], V2));
        Assert.Equal(ErrorCode.None, (await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true, V2)).Error);
        await WaitForState(_txn, "t", TransactionState.CompleteCommit);

        using var restarted = New();
        restarted.BeginLoading();
        restarted.Load(_log.Records);
        // Still a v2 state: the retry with the epoch before the bump is recognised.
        Assert.Equal(new EndTxnResult(ErrorCode.None, p.ProducerId, 1), await restarted.EndTransactionAsync("t", p.ProducerId, 0, commit: true, V2));
        Assert.Equal(ErrorCode.ProducerFenced, await restarted.AddPartitionsAsync("t", p.ProducerId, 0, [A0], V2));
    }
}
