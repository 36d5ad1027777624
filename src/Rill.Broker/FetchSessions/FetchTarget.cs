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
