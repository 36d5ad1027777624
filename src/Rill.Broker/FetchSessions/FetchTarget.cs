using Rill.Broker.Topics;
using Rill.Protocol.Messages;

namespace Rill.Broker.FetchSessions;

/// <summary>
/// One partition a Fetch reads: from the request (full fetches) or from the session (incremental fetches, which
/// read every partition of the session, in the session's order), with the partition it resolved to.
/// </summary>
internal struct FetchTarget
{
    public string Topic;
    public Guid TopicId;
    public int Partition;
    public long FetchOffset;
    public int MaxBytes;
    public int CurrentLeaderEpoch;

    /// <summary>last_fetched_epoch (v12+, -1 when not sent): the leader answers a diverging epoch instead of records.</summary>
    public int LastFetchedEpoch;

    /// <summary>A follower's log start offset as sent (-1 for consumers).</summary>
    public long FetcherLogStartOffset;

    /// <summary>The request's entry (full fetches), from which a new session takes the partition.</summary>
    public FetchRequest.FetchPartition? Request;

    /// <summary>The session's entry (incremental fetches).</summary>
    public CachedPartition? Cached;

    /// <summary>The partition on this broker; null when unknown or <see cref="Denied"/>.</summary>
    public Partition? Found;

    /// <summary>The fetcher may not read the topic (TOPIC_AUTHORIZATION_FAILED).</summary>
    public bool Denied;

    public readonly bool SameTopicAs(in FetchTarget other) => TopicId == other.TopicId && string.Equals(Topic, other.Topic, StringComparison.Ordinal);
}
