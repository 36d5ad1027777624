using Rill.Protocol;

namespace Rill.Coordination.Transactions;

/// <summary>
/// Cluster placement: the broker leading a transactional id's __transaction_state partition is its
/// coordinator. <see cref="Placement"/> answers, per id, NONE (coordinated here),
/// COORDINATOR_LOAD_IN_PROGRESS or NOT_COORDINATOR. A new leader loads the partition's ids
/// (<see cref="LoadPartition"/>; prepared transactions get their markers written again, ongoing
/// ones abort at their timeout) and a former leader forgets them (<see cref="Unload"/>).
/// Without a placement (single node) every id is local.
/// </summary>
public sealed partial class TransactionCoordinator
{
    /// <summary>Set in cluster mode: the error for an id this broker does not coordinate now, NONE when it does.</summary>
    public Func<string, ErrorCode>? Placement { get; set; }

    /// <summary>NONE when this broker serves <paramref name="transactionalId"/> now, else the error its requests get.</summary>
    public ErrorCode Availability(string transactionalId)
        => _loading ? ErrorCode.CoordinatorLoadInProgress : Placement?.Invoke(transactionalId) ?? ErrorCode.None;

    /// <summary>Loads the ids of one __transaction_state partition this broker now leads.</summary>
    public int LoadPartition(IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> records) => Replay(records);

    /// <summary>Forgets the ids <paramref name="inPartition"/> accepts (their partition's leadership moved away).</summary>
    public int Unload(Func<string, bool> inPartition)
    {
        int removed = 0;
        foreach (var (id, entry) in _entries)
        {
            if (inPartition(id) && _entries.TryRemove(new KeyValuePair<string, TransactionEntry>(id, entry)))
            {
                entry.Executor.Complete();
                removed++;
            }
        }
        return removed;
    }
}
