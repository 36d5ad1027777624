using Rill.Protocol;

namespace Rill.Coordination.Groups;

/// <summary>
/// Where TxnOffsetCommit writes: the group's __consumer_offsets partition, as a transactional
/// batch of the producer id/epoch, so the commit or abort marker the transaction coordinator
/// writes there later decides whether the offsets count (also when the log is replayed).
/// </summary>
public interface ITransactionalGroupStateLog
{
    void AppendTransactional(string groupId, long producerId, short producerEpoch, IReadOnlyList<(byte[] Key, byte[]? Value)> records);
}

/// <summary>An offset committed inside a transaction, not yet decided.</summary>
public readonly record struct PendingTxnOffset(long ProducerId, string GroupId, string Topic, int Partition, CommittedOffset Offset);

public sealed partial class GroupCoordinator
{
    private readonly Lock _pendingLock = new();
    // producer id -> offsets committed in its open transaction, in commit order.
    private readonly Dictionary<long, List<PendingTxnOffset>> _pendingTxnOffsets = [];

    /// <summary>
    /// TxnOffsetCommit: with group metadata (v3+, KIP-447: a member id or generation given), the
    /// committer must be a current member of the group at that generation, as for OffsetCommit;
    /// without it (v0-2, or generation -1 and no member id) the offsets are taken as they are.
    /// The offsets are written to __consumer_offsets as a transactional batch and held pending:
    /// invisible to OffsetFetch until <see cref="CompleteTransaction"/> sees the commit marker,
    /// dropped on abort. Returns the error for all partitions.
    /// </summary>
    public async Task<ErrorCode> TxnCommitAsync(string groupId, long producerId, short producerEpoch, int generationId,
        string memberId, string? groupInstanceId, IReadOnlyList<(string Topic, int Partition, CommittedOffset Offset)> offsets)
    {
        if (groupId.Length == 0)
        {
            return ErrorCode.InvalidGroupId;
        }
        if (Availability(groupId) is var unavailable and not ErrorCode.None)
        {
            return unavailable;
        }
        bool validate = memberId.Length > 0 || generationId >= 0 || groupInstanceId is not null;
        GroupEntry entry = GetOrCreate(groupId);
        return await entry.Executor.Invoke(() =>
        {
            ErrorCode error = !validate ? ErrorCode.None
                : entry.Consumer is { } consumer ? consumer.ValidateCommit(memberId, generationId, apiVersion: 9)
                : entry.Classic.ValidateCommit(generationId, memberId, groupInstanceId);
            if (error != ErrorCode.None || offsets.Count == 0)
            {
                return error;
            }
            try
            {
                var records = offsets.Select(o => (OffsetRecords.Key(groupId, o.Topic, o.Partition), (byte[]?)OffsetRecords.Value(o.Offset))).ToList();
                if (_log is ITransactionalGroupStateLog txnLog)
                {
                    txnLog.AppendTransactional(groupId, producerId, producerEpoch, records);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                return GroupStateLogException.Map(e, ErrorCode.InvalidCommitOffsetSize);
            }
            AddPending(offsets.Select(o => new PendingTxnOffset(producerId, groupId, o.Topic, o.Partition, o.Offset)));
            return ErrorCode.None;
        }).ConfigureAwait(false);
    }

    /// <summary>Holds offsets of transactions still open after a replay of __consumer_offsets.</summary>
    public void RestorePendingTxnOffsets(IEnumerable<PendingTxnOffset> pending) => AddPending(pending);

    private void AddPending(IEnumerable<PendingTxnOffset> pending)
    {
        lock (_pendingLock)
        {
            foreach (PendingTxnOffset p in pending)
            {
                if (!_pendingTxnOffsets.TryGetValue(p.ProducerId, out var list))
                {
                    _pendingTxnOffsets[p.ProducerId] = list = [];
                }
                list.Add(p);
            }
        }
    }

    /// <summary>
    /// Called once the marker of <paramref name="producerId"/>'s transaction is written to the
    /// __consumer_offsets partition holding the groups <paramref name="inPartition"/> accepts: on
    /// commit its pending offsets of those groups become the committed ones, on abort they are dropped.
    /// </summary>
    public async Task CompleteTransactionAsync(long producerId, bool commit, Func<string, bool> inPartition)
    {
        List<PendingTxnOffset> decided;
        lock (_pendingLock)
        {
            if (!_pendingTxnOffsets.TryGetValue(producerId, out var list))
            {
                return;
            }
            decided = list.Where(p => inPartition(p.GroupId)).ToList();
        }
        if (commit)
        {
            // Committed before they stop being pending: OffsetFetch never sees neither (-1) in between.
            foreach (var group in decided.GroupBy(p => p.GroupId, StringComparer.Ordinal))
            {
                GroupEntry entry = GetOrCreate(group.Key);
                await entry.Executor.Invoke(() =>
                {
                    foreach (PendingTxnOffset p in group)
                    {
                        _offsets.Commit(p.GroupId, p.Topic, p.Partition, p.Offset);
                    }
                    return true;
                }).ConfigureAwait(false);
            }
        }
        lock (_pendingLock)
        {
            if (_pendingTxnOffsets.TryGetValue(producerId, out var list))
            {
                var done = decided.ToHashSet();
                list.RemoveAll(done.Contains);
                if (list.Count == 0)
                {
                    _pendingTxnOffsets.Remove(producerId);
                }
            }
        }
    }

    /// <summary>True while an open transaction holds an offset of the partition for the group (OffsetFetch require_stable: UNSTABLE_OFFSET_COMMIT).</summary>
    public bool HasPendingTxnOffset(string groupId, string topic, int partition)
    {
        lock (_pendingLock)
        {
            foreach (var list in _pendingTxnOffsets.Values)
            {
                foreach (PendingTxnOffset p in list)
                {
                    if (p.Partition == partition && p.GroupId == groupId && p.Topic == topic)
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
