using Rill.Coordination.Transactions;
using Rill.Protocol;

namespace Rill.Coordination.Tests.Transactions;

/// <summary>The transaction state machine on a fake clock: fencing, timeouts, persistence and every illegal transition's error.</summary>
public sealed class TransactionCoordinatorTests : IDisposable
{
    private static readonly TxnPartition A0 = new("a", 0);
    private static readonly TxnPartition B1 = new("b", 1);

    private readonly FakeTimeProvider _time = new();
    private readonly MemoryTransactionLog _log = new();
    private readonly RecordingMarkerWriter _markers = new();
    private readonly CountingProducerIds _ids = new();
    private readonly TransactionCoordinatorOptions _options = new() { MaxTimeoutMs = 60_000, AbortCheckIntervalMs = 1_000 };
    private readonly TransactionCoordinator _txn;

    public TransactionCoordinatorTests() => _txn = New();

    private TransactionCoordinator New() => new(_options, _ids, _markers, _log, _time);

    public void Dispose() => _txn.Dispose();

    private async Task<TransactionState> StateOf(TransactionCoordinator c, string id) => (await c.DescribeAsync(id))!.State;

    private async Task WaitForState(TransactionCoordinator c, string id, TransactionState state) =>
        await Eventually.TrueAsync(async () => (await c.DescribeAsync(id))?.State == state, $"{id} reaches {state}");

    [Fact]
    public async Task A_new_id_gets_epoch_0_and_each_InitProducerId_bumps_it_fencing_the_previous_producer()
    {
        var first = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal((ErrorCode.None, (short)0), (first.Error, first.ProducerEpoch));
        var second = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal((ErrorCode.None, first.ProducerId, (short)1), (second.Error, second.ProducerId, second.ProducerEpoch));

        Assert.Equal(ErrorCode.ProducerFenced, await _txn.AddPartitionsAsync("t", first.ProducerId, 0, [A0]));
        Assert.Equal(ErrorCode.ProducerFenced, await _txn.EndTransactionAsync("t", first.ProducerId, 0, commit: true));
        Assert.Equal(ErrorCode.None, await _txn.AddPartitionsAsync("t", second.ProducerId, 1, [A0]));
    }

    [Fact]
    public async Task A_timeout_above_transaction_max_timeout_ms_is_refused()
    {
        Assert.Equal(ErrorCode.InvalidTransactionTimeout, (await _txn.InitProducerIdAsync("t", 60_001)).Error);
        Assert.Equal(ErrorCode.InvalidTransactionTimeout, (await _txn.InitProducerIdAsync("t", 0)).Error);
        Assert.Null(await _txn.DescribeAsync("t"));
    }

    [Fact]
    public async Task Commit_writes_commit_markers_to_every_partition_and_completes()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal(ErrorCode.None, await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0]));
        Assert.Equal(TransactionState.Ongoing, await StateOf(_txn, "t"));
        Assert.Equal(ErrorCode.None, await _txn.AddPartitionsAsync("t", p.ProducerId, 0,
            [B1, new TxnPartition(TransactionCoordinator.OffsetsTopic, 7)]));
        Assert.Equal(ErrorCode.None, await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        await WaitForState(_txn, "t", TransactionState.CompleteCommit);

        var marker = Assert.Single(_markers.Written);
        Assert.Equal((p.ProducerId, (short)0, true), (marker.ProducerId, marker.Epoch, marker.Commit));
        Assert.Equal([new TxnPartition(TransactionCoordinator.OffsetsTopic, 7), A0, B1], marker.Partitions);
        Assert.Empty((await _txn.DescribeAsync("t"))!.Partitions);

        // A retried commit is answered NONE; the opposite decision is illegal.
        Assert.Equal(ErrorCode.None, await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        Assert.Equal(ErrorCode.InvalidTxnState, await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: false));

        // The next transaction starts from CompleteCommit.
        Assert.Equal(ErrorCode.None, await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [B1]));
        Assert.Equal(ErrorCode.None, await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: false));
        await WaitForState(_txn, "t", TransactionState.CompleteAbort);
        Assert.False(_markers.Written[1].Commit);
        Assert.Equal([B1], _markers.Written[1].Partitions);
        Assert.Equal(ErrorCode.InvalidTxnState, await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
    }

    [Fact]
    public async Task Illegal_requests_get_Kafkas_errors()
    {
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, await _txn.AddPartitionsAsync("nobody", 1, 0, [A0]));
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, await _txn.EndTransactionAsync("nobody", 1, 0, true));

        var p = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal(ErrorCode.InvalidTxnState, await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        Assert.Equal(ErrorCode.InvalidTxnState, await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: false));
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, await _txn.AddPartitionsAsync("t", p.ProducerId + 1, 0, [A0]));
        Assert.Equal(ErrorCode.ProducerFenced, await _txn.AddPartitionsAsync("t", p.ProducerId, 5, [A0]));
        Assert.Equal(TransactionState.Empty, await StateOf(_txn, "t"));
    }

    [Fact]
    public async Task While_markers_are_pending_requests_get_CONCURRENT_TRANSACTIONS_or_INVALID_TXN_STATE()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0]);
        _markers.Hold = true;
        Assert.Equal(ErrorCode.None, await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        Assert.Equal(TransactionState.PrepareCommit, await StateOf(_txn, "t"));

        Assert.Equal(ErrorCode.ConcurrentTransactions, await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        Assert.Equal(ErrorCode.InvalidTxnState, await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: false));
        Assert.Equal(ErrorCode.ConcurrentTransactions, await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [B1]));
        Assert.Equal(ErrorCode.ConcurrentTransactions, (await _txn.InitProducerIdAsync("t", 10_000)).Error);

        _markers.Release();
        await WaitForState(_txn, "t", TransactionState.CompleteCommit);
        var next = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal((ErrorCode.None, (short)1), (next.Error, next.ProducerEpoch));
    }

    [Fact]
    public async Task InitProducerId_during_an_ongoing_transaction_fences_and_aborts_it_at_the_bumped_epoch()
    {
        var zombie = await _txn.InitProducerIdAsync("t", 10_000);
        await _txn.AddPartitionsAsync("t", zombie.ProducerId, 0, [A0, B1]);

        Assert.Equal(ErrorCode.ConcurrentTransactions, (await _txn.InitProducerIdAsync("t", 10_000)).Error);
        await WaitForState(_txn, "t", TransactionState.CompleteAbort);
        var abort = Assert.Single(_markers.Written);
        Assert.Equal((zombie.ProducerId, (short)1, false), (abort.ProducerId, abort.Epoch, abort.Commit));
        Assert.Equal([A0, B1], abort.Partitions);

        Assert.Equal(ErrorCode.ProducerFenced, await _txn.EndTransactionAsync("t", zombie.ProducerId, 0, commit: true));
        var retried = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal((ErrorCode.None, zombie.ProducerId, (short)2), (retried.Error, retried.ProducerId, retried.ProducerEpoch));
    }

    [Fact]
    public async Task An_expired_transaction_is_aborted_and_its_producer_fenced()
    {
        var p = await _txn.InitProducerIdAsync("t", 5_000);
        await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0]);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(TransactionState.Ongoing, await StateOf(_txn, "t"));
        Assert.Equal(0, _markers.Count);

        _time.Advance(TimeSpan.FromSeconds(1));
        await WaitForState(_txn, "t", TransactionState.CompleteAbort);
        var abort = Assert.Single(_markers.Written);
        Assert.Equal((p.ProducerId, (short)1, false), (abort.ProducerId, abort.Epoch, abort.Commit));
        Assert.Equal(ErrorCode.ProducerFenced, await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        Assert.Equal(ErrorCode.ProducerFenced, await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0]));
    }

    [Fact]
    public async Task KIP_360_InitProducerId_naming_the_current_producer_bumps_a_retry_gets_the_same_and_a_stranger_is_fenced()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        var bumped = await _txn.InitProducerIdAsync("t", 10_000, p.ProducerId, 0);
        Assert.Equal((ErrorCode.None, p.ProducerId, (short)1), (bumped.Error, bumped.ProducerId, bumped.ProducerEpoch));
        var retry = await _txn.InitProducerIdAsync("t", 10_000, p.ProducerId, 0);
        Assert.Equal((ErrorCode.None, (short)1), (retry.Error, retry.ProducerEpoch));
        Assert.Equal(ErrorCode.ProducerFenced, (await _txn.InitProducerIdAsync("t", 10_000, p.ProducerId, 7)).Error);
        Assert.Equal(ErrorCode.ProducerFenced, (await _txn.InitProducerIdAsync("t", 10_000, p.ProducerId + 50, 1)).Error);
    }

    [Fact]
    public async Task An_exhausted_epoch_gets_a_new_producer_id()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        var records = _log.Records;
        // Replay a state at the last usable epoch.
        var m = TransactionRecords.TryParseValue("t", records[^1].Value!.Value)!;
        m.ProducerEpoch = short.MaxValue - 1;
        using var restarted = New();
        restarted.BeginLoading();
        restarted.Load([(TransactionRecords.Key("t"), TransactionRecords.Value(m))]);
        var next = await restarted.InitProducerIdAsync("t", 10_000);
        Assert.Equal(ErrorCode.None, next.Error);
        Assert.NotEqual(p.ProducerId, next.ProducerId);
        Assert.Equal(0, next.ProducerEpoch);
    }

    [Fact]
    public async Task State_replayed_from_the_log_resumes_and_a_prepared_commit_is_completed_after_restart()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0, B1]);
        _markers.Hold = true;
        Assert.Equal(ErrorCode.None, await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        var other = await _txn.InitProducerIdAsync("u", 10_000);
        await _txn.AddPartitionsAsync("u", other.ProducerId, 0, [A0]);
        _txn.Dispose(); // "crash" with t prepared and u ongoing

        var markers = new RecordingMarkerWriter();
        using var restarted = new TransactionCoordinator(_options, _ids, markers, _log, _time);
        restarted.BeginLoading();
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, (await restarted.InitProducerIdAsync("t", 10_000)).Error);
        Assert.True(restarted.Load(_log.Records) >= 5);

        await WaitForState(restarted, "t", TransactionState.CompleteCommit);
        var commit = Assert.Single(markers.Written);
        Assert.Equal((p.ProducerId, (short)0, true), (commit.ProducerId, commit.Epoch, commit.Commit));
        Assert.Equal([A0, B1], commit.Partitions);

        var u = (await restarted.DescribeAsync("u"))!;
        Assert.Equal((TransactionState.Ongoing, other.ProducerId), (u.State, u.ProducerId));
        Assert.Equal([A0], u.Partitions);
        Assert.Equal(ErrorCode.None, await restarted.AddPartitionsAsync("u", other.ProducerId, 0, [B1]));
        _time.Advance(TimeSpan.FromSeconds(11));
        await WaitForState(restarted, "u", TransactionState.CompleteAbort);
    }

    [Fact]
    public async Task Failed_marker_writes_are_retried_until_the_transaction_completes()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0]);
        _markers.Fail = true;
        Assert.Equal(ErrorCode.None, await _txn.EndTransactionAsync("t", p.ProducerId, 0, commit: false));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TransactionState.PrepareAbort, await StateOf(_txn, "t"));

        _markers.Fail = false;
        await Eventually.TrueAsync(async () =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return await StateOf(_txn, "t") == TransactionState.CompleteAbort;
        }, "the abort completes once markers can be written");
        Assert.All(_markers.Written, w => Assert.False(w.Commit));
    }

    [Fact]
    public async Task A_failed_state_write_answers_COORDINATOR_NOT_AVAILABLE_and_changes_nothing()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        _log.Fail = true;
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0]));
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, (await _txn.InitProducerIdAsync("t", 10_000)).Error);
        var s = (await _txn.DescribeAsync("t"))!;
        Assert.Equal((TransactionState.Empty, (short)0, 0), (s.State, s.ProducerEpoch, s.Partitions.Count));
    }

    [Fact]
    public async Task An_idle_id_expires_after_transactional_id_expiration_ms_with_a_tombstone()
    {
        using var txn = new TransactionCoordinator(_options with { IdExpirationMs = 60_000, RemoveExpiredIntervalMs = 10_000 },
            _ids, _markers, _log, _time);
        var p = await txn.InitProducerIdAsync("idle", 10_000);
        var busy = await txn.InitProducerIdAsync("busy", 60_000);
        await txn.AddPartitionsAsync("busy", busy.ProducerId, 0, [A0]);
        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.NotNull(await txn.DescribeAsync("idle"));

        _time.Advance(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(async () => await txn.DescribeAsync("idle") is null, "the idle id expires");
        Assert.Contains(_log.Records, r => r.Value is null && TransactionRecords.TryParseKey(r.Key, out string id) && id == "idle");
        Assert.NotNull(await txn.DescribeAsync("busy"));

        var again = await txn.InitProducerIdAsync("idle", 10_000);
        Assert.Equal((ErrorCode.None, (short)0), (again.Error, again.ProducerEpoch));
        Assert.NotEqual(p.ProducerId, again.ProducerId);
    }

    [Fact]
    public async Task VerifyPartition_accepts_only_partitions_of_the_ongoing_transaction()
    {
        var p = await _txn.InitProducerIdAsync("t", 10_000);
        Assert.Equal(ErrorCode.InvalidTxnState, await _txn.VerifyPartitionAsync("t", p.ProducerId, 0, A0));
        await _txn.AddPartitionsAsync("t", p.ProducerId, 0, [A0]);
        Assert.Equal(ErrorCode.None, await _txn.VerifyPartitionAsync("t", p.ProducerId, 0, A0));
        Assert.Equal(ErrorCode.InvalidTxnState, await _txn.VerifyPartitionAsync("t", p.ProducerId, 0, B1));
        Assert.Equal(ErrorCode.ProducerFenced, await _txn.VerifyPartitionAsync("t", p.ProducerId, 3, A0));
    }
}
