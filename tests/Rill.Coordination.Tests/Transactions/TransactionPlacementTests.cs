using Rill.Coordination.Transactions;
using Rill.Protocol;

namespace Rill.Coordination.Tests.Transactions;

/// <summary>
/// Cluster placement of transactional ids: ids coordinated elsewhere answer NOT_COORDINATOR and write nothing;
/// a new leader of the id's __transaction_state partition loads it (a prepared commit gets its markers written
/// and completes there); the former leader forgets it.
/// </summary>
public sealed class TransactionPlacementTests
{
    private static readonly TxnPartition A0 = new("a", 0);
    private readonly FakeTimeProvider _time = new();
    private readonly MemoryTransactionLog _log = new();
    private readonly CountingProducerIds _ids = new();
    private readonly TransactionCoordinatorOptions _options = new() { MaxTimeoutMs = 60_000, AbortCheckIntervalMs = 1_000 };

    [Fact]
    public async Task An_id_coordinated_elsewhere_answers_not_coordinator_on_every_request_and_nothing_is_written()
    {
        using var txn = new TransactionCoordinator(_options, _ids, new RecordingMarkerWriter(), _log, _time)
        {
            Placement = id => id == "here" ? ErrorCode.None : ErrorCode.NotCoordinator,
        };
        Assert.Equal(ErrorCode.NotCoordinator, (await txn.InitProducerIdAsync("there", 10_000)).Error);
        Assert.Equal(ErrorCode.NotCoordinator, await txn.AddPartitionsAsync("there", 1, 0, [A0]));
        Assert.Equal(ErrorCode.NotCoordinator, await txn.VerifyPartitionAsync("there", 1, 0, A0));
        Assert.Equal(ErrorCode.NotCoordinator, await txn.EndTransactionAsync("there", 1, 0, commit: true));
        Assert.Empty(_log.Records);
        Assert.Equal(ErrorCode.None, (await txn.InitProducerIdAsync("here", 10_000)).Error);
        Assert.Single(_log.Records);
    }

    [Fact]
    public async Task A_commit_prepared_when_leadership_moves_is_completed_by_the_new_leader_and_the_old_one_forgets_the_id()
    {
        var heldMarkers = new RecordingMarkerWriter { Hold = true };
        using var former = new TransactionCoordinator(_options, _ids, heldMarkers, _log, _time) { Placement = _ => ErrorCode.None };
        var p = await former.InitProducerIdAsync("t", 10_000);
        var other = await former.InitProducerIdAsync("u", 10_000);
        Assert.Equal(ErrorCode.None, await former.AddPartitionsAsync("t", p.ProducerId, 0, [A0]));
        Assert.Equal(ErrorCode.None, await former.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        Assert.Equal(TransactionState.PrepareCommit, (await former.DescribeAsync("t"))!.State);

        // Leadership of t's partition moves: the former leader forgets t (not u) and its held marker write is moot.
        Assert.Equal(1, former.Unload(id => id == "t"));
        Assert.Null(await former.DescribeAsync("t"));
        Assert.Equal(other.ProducerId, (await former.DescribeAsync("u"))!.ProducerId);

        // The new leader loads the partition: the prepared commit gets its markers and completes.
        var markers = new RecordingMarkerWriter();
        using var leader = new TransactionCoordinator(_options, _ids, markers, _log, _time) { Placement = _ => ErrorCode.None };
        leader.LoadPartition(_log.Records.Where(r => TransactionRecords.TryParseKey(r.Key, out string id) && id == "t").ToList());
        await Eventually.TrueAsync(async () => (await leader.DescribeAsync("t"))?.State == TransactionState.CompleteCommit, "t completes on the new leader");
        var written = Assert.Single(markers.Written);
        Assert.Equal((p.ProducerId, (short)0, true), (written.ProducerId, written.Epoch, written.Commit));
        Assert.Equal([A0], written.Partitions);
        Assert.Null(await leader.DescribeAsync("u"));
        heldMarkers.Release();
    }
}
