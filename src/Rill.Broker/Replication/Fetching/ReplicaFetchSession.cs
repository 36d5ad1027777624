using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication.Fetching;

/// <summary>
/// The follower's side of a fetch session (KIP-227, Kafka's FetchSessionHandler). The first fetch is full (epoch 0, every
/// partition) and the leader answers with a session id; then each fetch is incremental: it carries only partitions that
/// are new or whose fetch offset, log start offset, max bytes or leader epoch changed since the leader last heard them, and
/// names in forgotten_topics_data the partitions no longer fetched (removed, or left out after an error). The leader reads
/// every session partition and answers only those with news, so an idle follower sends an empty fetch every
/// replica.fetch.wait.max.ms instead of every partition. A session error (FETCH_SESSION_ID_NOT_FOUND,
/// INVALID_FETCH_SESSION_EPOCH, ...) or a failed request makes the next fetch full again, closing the old session.
/// A leader without room for a session answers session id 0: every fetch is then full.
/// </summary>
internal sealed class ReplicaFetchSession
{
    private Dictionary<(string Topic, int Partition), FetchRequest.FetchPartition> _held = [];
    private Dictionary<(string Topic, int Partition), FetchRequest.FetchPartition>? _pending;
    private bool _pendingFull;
    private int _epoch;

    /// <summary>The session id the leader gave (0: none).</summary>
    public int Id { get; private set; }

    /// <summary>Whether the next fetch is incremental.</summary>
    public bool Incremental => Id != 0 && _epoch > 0;

    /// <summary>Partitions the leader's session holds, as this follower believes.</summary>
    public int HeldCount => _held.Count;

    /// <summary>
    /// Fills <paramref name="request"/>'s session fields, topics and forgotten topics for the partitions to fetch now
    /// (<paramref name="wanted"/>, each with its current position).
    /// </summary>
    public void Fill(FetchRequest request, IReadOnlyList<(string Topic, FetchRequest.FetchPartition Partition)> wanted)
    {
        var next = new Dictionary<(string, int), FetchRequest.FetchPartition>(wanted.Count);
        var topics = new Dictionary<string, FetchRequest.FetchTopic>(StringComparer.Ordinal);
        bool full = !Incremental;
        foreach (var (topic, partition) in wanted)
        {
            var key = (topic, partition.Partition);
            next[key] = partition;
            if (full || !_held.TryGetValue(key, out FetchRequest.FetchPartition? held) || !Same(held, partition))
            {
                if (!topics.TryGetValue(topic, out FetchRequest.FetchTopic? entry))
                {
                    topics[topic] = entry = new FetchRequest.FetchTopic { Topic = topic };
                    request.Topics.Add(entry);
                }
                entry.Partitions.Add(partition);
            }
        }
        if (!full)
        {
            var forgotten = new Dictionary<string, FetchRequest.ForgottenTopic>(StringComparer.Ordinal);
            foreach (var (topic, index) in _held.Keys)
            {
                if (!next.ContainsKey((topic, index)))
                {
                    if (!forgotten.TryGetValue(topic, out FetchRequest.ForgottenTopic? entry))
                    {
                        forgotten[topic] = entry = new FetchRequest.ForgottenTopic { Topic = topic };
                        request.ForgottenTopicsData.Add(entry);
                    }
                    entry.Partitions.Add(index);
                }
            }
        }
        request.SessionId = Id;
        request.SessionEpoch = full ? 0 : _epoch;
        _pending = next;
        _pendingFull = full;
    }

    /// <summary>The leader answered the request last filled.</summary>
    public void OnResponse(FetchResponse response)
    {
        var pending = _pending;
        _pending = null;
        if (response.ErrorCode != 0 || pending is null)
        {
            Reset(keepId: (ErrorCode)response.ErrorCode is not (ErrorCode.FetchSessionIdNotFound or ErrorCode.InvalidFetchSessionEpoch));
            return;
        }
        if (_pendingFull)
        {
            Id = response.SessionId;
            _epoch = Id != 0 ? 1 : 0;
            _held = Id != 0 ? pending : [];
            return;
        }
        if (response.SessionId != Id)
        {
            Reset(keepId: false); // the leader closed the session (e.g. every partition was forgotten)
            return;
        }
        _held = pending;
        _epoch = _epoch == int.MaxValue ? 1 : _epoch + 1;
    }

    /// <summary>The request failed (connection lost, timeout): the leader may or may not have applied it, so start over.</summary>
    public void OnFailure()
    {
        _pending = null;
        Reset(keepId: true);
    }

    /// <summary>The next fetch is full; with <paramref name="keepId"/> it names the old session, so the leader closes it.</summary>
    private void Reset(bool keepId)
    {
        _epoch = 0;
        _held = [];
        if (!keepId)
        {
            Id = 0;
        }
    }

    private static bool Same(FetchRequest.FetchPartition a, FetchRequest.FetchPartition b)
        => a.FetchOffset == b.FetchOffset && a.LogStartOffset == b.LogStartOffset && a.PartitionMaxBytes == b.PartitionMaxBytes
            && a.CurrentLeaderEpoch == b.CurrentLeaderEpoch && a.LastFetchedEpoch == b.LastFetchedEpoch;
}
