using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.FetchSessions;

internal enum FetchSessionMode
{
    /// <summary>A full fetch answered without a session (session id 0): epoch -1, Fetch v0-6, or a session emptied by forgetting.</summary>
    Sessionless,

    /// <summary>A full fetch (epoch 0) that creates a session if the cache has room.</summary>
    Full,

    /// <summary>An incremental fetch (epoch ≥ 1) of an existing session.</summary>
    Incremental,

    /// <summary>Answered with a top-level error and no partitions.</summary>
    Error,
}

/// <summary>
/// How one Fetch request relates to the fetch sessions (KIP-227), decided as Kafka's FetchManager.newContext:
/// <list type="bullet">
/// <item>epoch 0 or -1 is a full fetch; a session id it names is closed first. Epoch 0 then creates a new
/// session from the request's partitions (when the cache has or can free a slot), epoch -1 does not.</item>
/// <item>epoch ≥ 1 is incremental: the session must exist (FETCH_SESSION_ID_NOT_FOUND), the epoch must be
/// the session's (INVALID_FETCH_SESSION_EPOCH) and the request must use topic ids exactly when the session
/// does (FETCH_SESSION_TOPIC_ID_ERROR). Its partitions are added or updated, its forgotten topics removed,
/// and the session's epoch moves on; a session left empty is closed and the fetch answered without one.</item>
/// </list>
/// </summary>
internal sealed class FetchSessionContext
{
    private FetchSessionContext(FetchSessionMode mode, FetchSession? session = null, ErrorCode error = ErrorCode.None)
    {
        Mode = mode;
        Session = session;
        Error = error;
    }

    public FetchSessionMode Mode { get; }
    public FetchSession? Session { get; }
    public ErrorCode Error { get; }

    private static readonly FetchSessionContext SessionlessContext = new(FetchSessionMode.Sessionless);
    private static readonly FetchSessionContext FullContext = new(FetchSessionMode.Full);

    public static SessionPartitionKey KeyOf(FetchRequest.FetchTopic topic, int partition, bool usesTopicIds)
        => usesTopicIds ? new SessionPartitionKey(topic.TopicId, "", partition) : new SessionPartitionKey(Guid.Empty, topic.Topic, partition);

    public static FetchSessionContext Create(FetchSessionCache cache, FetchRequest request, short version)
    {
        if (version < 7)
        {
            return SessionlessContext;
        }
        int epoch = request.SessionEpoch;
        if (epoch is 0 or -1)
        {
            if (request.SessionId != 0)
            {
                cache.Remove(request.SessionId);
            }
            return epoch == 0 ? FullContext : SessionlessContext;
        }
        FetchSession? session = cache.Get(request.SessionId);
        if (session is null)
        {
            return new FetchSessionContext(FetchSessionMode.Error, error: ErrorCode.FetchSessionIdNotFound);
        }
        bool usesTopicIds = version >= 13;
        lock (session)
        {
            if (session.Epoch != epoch)
            {
                return new FetchSessionContext(FetchSessionMode.Error, error: ErrorCode.InvalidFetchSessionEpoch);
            }
            if (session.UsesTopicIds != usesTopicIds)
            {
                return new FetchSessionContext(FetchSessionMode.Error, error: ErrorCode.FetchSessionTopicIdError);
            }
            foreach (FetchRequest.FetchTopic topic in request.Topics)
            {
                foreach (FetchRequest.FetchPartition partition in topic.Partitions)
                {
                    session.AddOrUpdate(KeyOf(topic, partition.Partition, usesTopicIds), partition);
                }
            }
            foreach (FetchRequest.ForgottenTopic forgotten in request.ForgottenTopicsData)
            {
                foreach (int partition in forgotten.Partitions)
                {
                    session.Remove(usesTopicIds ? new SessionPartitionKey(forgotten.TopicId, "", partition)
                        : new SessionPartitionKey(Guid.Empty, forgotten.Topic, partition));
                }
            }
            if (session.Count == 0)
            {
                cache.Remove(session.Id);
                return SessionlessContext;
            }
            session.AdvanceEpoch();
        }
        cache.Touch(session);
        return new FetchSessionContext(FetchSessionMode.Incremental, session);
    }
}
