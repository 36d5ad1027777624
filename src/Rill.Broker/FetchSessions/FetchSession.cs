using Rill.Protocol.Messages;

namespace Rill.Broker.FetchSessions;

/// <summary>
/// One incremental fetch session (KIP-227): the partitions a client fetches, in the order they are read, and
/// the epoch its next incremental request must carry. Partitions that returned records move to the end of the
/// order, so a response bounded by max bytes does not always favour the same partitions (as Kafka).
/// Callers lock the session while they change it.
/// </summary>
internal sealed class FetchSession
{
    private readonly LinkedList<CachedPartition> _order = new();
    private readonly Dictionary<SessionPartitionKey, LinkedListNode<CachedPartition>> _byKey = new();

    public FetchSession(int id, bool privileged, bool usesTopicIds, long creationMs)
    {
        Id = id;
        Privileged = privileged;
        UsesTopicIds = usesTopicIds;
        CreationMs = creationMs;
        LastUsedMs = creationMs;
    }

    public int Id { get; }

    /// <summary>Created by a follower (replica fetcher): such sessions are the last evicted for consumers.</summary>
    public bool Privileged { get; }

    /// <summary>Created by Fetch v13+; a request of the other kind gets FETCH_SESSION_TOPIC_ID_ERROR.</summary>
    public bool UsesTopicIds { get; }

    public long CreationMs { get; }
    public long LastUsedMs { get; internal set; }

    /// <summary>The epoch the next incremental request must carry (1 after creation, wraps from int.MaxValue to 1).</summary>
    public int Epoch { get; internal set; } = 1;

    /// <summary>The partition count the cache's eviction order was last computed with (-1: not in the cache).</summary>
    internal int CachedSize { get; set; } = -1;

    public int Count => _order.Count;

    /// <summary>The session's partitions in read order (a copy: the order changes while a response is built).</summary>
    public List<CachedPartition> Snapshot() => [.. _order];

    /// <summary>The partitions in read order, without a copy: only while the session is locked.</summary>
    public LinkedList<CachedPartition>.Enumerator GetEnumerator() => _order.GetEnumerator();

    public void AdvanceEpoch() => Epoch = Epoch == int.MaxValue ? 1 : Epoch + 1;

    /// <summary>Adds a partition at the end, or updates its fetch position where it is.</summary>
    public CachedPartition AddOrUpdate(SessionPartitionKey key, FetchRequest.FetchPartition request)
    {
        if (_byKey.TryGetValue(key, out var node))
        {
            node.Value.Update(request);
            return node.Value;
        }
        var added = new CachedPartition(key, request);
        _byKey.Add(key, _order.AddLast(added));
        return added;
    }

    public bool Remove(SessionPartitionKey key)
    {
        if (!_byKey.Remove(key, out var node))
        {
            return false;
        }
        _order.Remove(node);
        return true;
    }

    /// <summary>Moves a partition that returned records to the end of the read order.</summary>
    public void MoveToEnd(CachedPartition partition)
    {
        if (_byKey.TryGetValue(partition.Key, out var node) && node.Next is not null)
        {
            _order.Remove(node);
            _order.AddLast(node);
        }
    }
}
