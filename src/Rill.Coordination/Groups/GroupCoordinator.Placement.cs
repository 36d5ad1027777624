using Rill.Protocol;

namespace Rill.Coordination.Groups;

/// <summary>
/// Cluster placement: the broker leading a group's __consumer_offsets partition is its coordinator.
/// <see cref="Placement"/> says, per group id, whether this broker coordinates it now (NONE),
/// is still loading its partition (COORDINATOR_LOAD_IN_PROGRESS) or does not lead it
/// (NOT_COORDINATOR). The broker loads a partition's groups when it becomes its leader
/// (<see cref="LoadPartition"/>) and forgets them when it stops leading it (<see cref="Unload"/>),
/// as Kafka's onElection/onResignation. Without a placement (single node) every group is local.
/// </summary>
public sealed partial class GroupCoordinator
{
    /// <summary>Set in cluster mode: the error for a group this broker does not coordinate now, NONE when it does.</summary>
    public Func<string, ErrorCode>? Placement { get; set; }

    /// <summary>NONE when this broker serves <paramref name="groupId"/> now, else the error its requests get.</summary>
    public ErrorCode Availability(string groupId)
        => _loading ? ErrorCode.CoordinatorLoadInProgress : Placement?.Invoke(groupId) ?? ErrorCode.None;

    private static string UnavailableMessage(ErrorCode error) => error switch
    {
        ErrorCode.CoordinatorLoadInProgress => "The coordinator is loading.",
        ErrorCode.NotCoordinator => "This broker is not the coordinator of the group.",
        _ => "The coordinator is not available.",
    };

    /// <summary>
    /// Loads the groups of one __consumer_offsets partition this broker now leads: the partition's
    /// records (as <see cref="Load"/>) and the offsets of transactions still open in it.
    /// </summary>
    public int LoadPartition(IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> records, Func<IEnumerable<PendingTxnOffset>> pending)
    {
        int applied = Replay(records);
        RestorePendingTxnOffsets(pending());
        return applied;
    }

    /// <summary>Forgets the groups <paramref name="inPartition"/> accepts (their partition's leadership moved away).</summary>
    public int Unload(Func<string, bool> inPartition)
    {
        int removed = 0;
        foreach (var (groupId, entry) in _groups)
        {
            if (inPartition(groupId) && _groups.TryRemove(new KeyValuePair<string, GroupEntry>(groupId, entry)))
            {
                entry.Executor.Complete();
                removed++;
            }
        }
        foreach (string groupId in _offsets.GroupIds().Where(inPartition).ToList())
        {
            _offsets.RemoveGroup(groupId);
        }
        lock (_pendingLock)
        {
            foreach (long producerId in _pendingTxnOffsets.Keys.ToList())
            {
                List<PendingTxnOffset> list = _pendingTxnOffsets[producerId];
                list.RemoveAll(p => inPartition(p.GroupId));
                if (list.Count == 0)
                {
                    _pendingTxnOffsets.Remove(producerId);
                }
            }
        }
        return removed;
    }
}
