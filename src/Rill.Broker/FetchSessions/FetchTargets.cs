using System.Buffers;
using Rill.Protocol.Messages;

namespace Rill.Broker.FetchSessions;

/// <summary>
/// The partitions a Fetch reads (<see cref="FromRequest"/>, <see cref="FromSession"/>) and the response built
/// from what was read (<see cref="Respond"/>): a full fetch with epoch 0 creates its session here, and an
/// incremental response keeps only the partitions <see cref="CachedPartition.MustRespond"/> selects.
/// </summary>
internal static class FetchTargets
{
    /// <summary>A partition's response entry with no records and unknown offsets (-1), carrying <paramref name="error"/>.</summary>
    public static FetchResponse.PartitionData Answer(int partition, Rill.Protocol.ErrorCode error) => new()
    {
        PartitionIndex = partition,
        ErrorCode = (short)error,
        HighWatermark = -1,
        LastStableOffset = -1,
        LogStartOffset = -1,
        PreferredReadReplica = -1,
        Records = ReadOnlyMemory<byte>.Empty,
    };

    /// <summary>The request's partitions, in a rented array of which the first <paramref name="count"/> are used (<see cref="Return"/>).</summary>
    public static FetchTarget[] FromRequest(FetchRequest request, short version, out int count)
    {
        count = 0;
        foreach (FetchRequest.FetchTopic topic in request.Topics)
        {
            count += topic.Partitions.Count;
        }
        FetchTarget[] targets = ArrayPool<FetchTarget>.Shared.Rent(count);
        int i = 0;
        foreach (FetchRequest.FetchTopic topic in request.Topics)
        {
            string name = version >= 13 ? "" : topic.Topic;
            Guid id = version >= 13 ? topic.TopicId : Guid.Empty;
            foreach (FetchRequest.FetchPartition partition in topic.Partitions)
            {
                targets[i++] = new FetchTarget
                {
                    Topic = name,
                    TopicId = id,
                    Partition = partition.Partition,
                    FetchOffset = partition.FetchOffset,
                    MaxBytes = partition.PartitionMaxBytes,
                    CurrentLeaderEpoch = partition.CurrentLeaderEpoch,
                    LastFetchedEpoch = partition.LastFetchedEpoch,
                    FetcherLogStartOffset = partition.LogStartOffset,
                    Request = partition,
                };
            }
        }
        return targets;
    }

    /// <summary>The session's partitions in read order, in a rented array as <see cref="FromRequest"/>.</summary>
    public static FetchTarget[] FromSession(FetchSession session, out int count)
    {
        lock (session)
        {
            count = session.Count;
            FetchTarget[] targets = ArrayPool<FetchTarget>.Shared.Rent(count);
            int i = 0;
            foreach (CachedPartition partition in session)
            {
                targets[i++] = new FetchTarget
                {
                    Topic = partition.Key.Topic,
                    TopicId = partition.Key.TopicId,
                    Partition = partition.Key.Partition,
                    FetchOffset = partition.FetchOffset,
                    MaxBytes = partition.MaxBytes,
                    CurrentLeaderEpoch = partition.CurrentLeaderEpoch,
                    LastFetchedEpoch = partition.LastFetchedEpoch,
                    FetcherLogStartOffset = partition.FetcherLogStartOffset,
                    Cached = partition,
                };
            }
            return targets;
        }
    }

    /// <summary>Gives back an array of <see cref="FromRequest"/> or <see cref="FromSession"/>, dropping its references first.</summary>
    public static void Return(FetchTarget[] targets, int count)
    {
        targets.AsSpan(0, count).Clear();
        ArrayPool<FetchTarget>.Shared.Return(targets);
    }

    /// <summary>
    /// The response for what was read (<paramref name="data"/>, one per target): every partition for full and
    /// sessionless fetches, with the new session's id when epoch 0 created one; for incremental fetches only the
    /// partitions with records, errors or changed offsets (an entry the handler left null is an unchanged one).
    /// Consecutive partitions of a topic share one topic entry.
    /// </summary>
    public static FetchResponse Respond(FetchSessionCache cache, FetchSessionContext context, FetchRequest request, short version,
        ReadOnlySpan<FetchTarget> targets, ReadOnlySpan<FetchResponse.PartitionData?> data)
    {
        var response = new FetchResponse { ErrorCode = 0, SessionId = 0 };
        bool incremental = false;
        Span<bool> include = targets.Length <= 1024 ? stackalloc bool[targets.Length] : new bool[targets.Length];
        include.Clear();
        if (context.Mode == FetchSessionMode.Full)
        {
            bool usesTopicIds = version >= 13;
            bool follower = Replication.ReplicaFetch.ReplicaIdOf(request, version) >= 0;
            // Copies for the cache's callback (once per session created).
            FetchTarget[] created = targets.ToArray();
            FetchResponse.PartitionData?[] answered = data.ToArray();
            FetchSession? newSession = cache.TryCreate(follower, usesTopicIds, created.Length, session =>
            {
                for (int i = 0; i < created.Length; i++)
                {
                    var key = new SessionPartitionKey(created[i].TopicId, created[i].Topic, created[i].Partition);
                    session.AddOrUpdate(key, created[i].Request!).MustRespond(answered[i]!, remember: true);
                }
            });
            response.SessionId = newSession?.Id ?? 0;
        }
        else if (context is { Mode: FetchSessionMode.Incremental, Session: { } session })
        {
            incremental = true;
            lock (session)
            {
                for (int i = 0; i < targets.Length; i++)
                {
                    if (data[i] is not { } answered)
                    {
                        continue; // unchanged: nothing new to remember
                    }
                    CachedPartition cached = targets[i].Cached!;
                    include[i] = cached.MustRespond(answered, remember: true);
                    if (answered.Records is { Length: > 0 })
                    {
                        session.MoveToEnd(cached);
                    }
                }
            }
            response.SessionId = session.Id;
        }

        FetchResponse.FetchableTopicResponse? topic = null;
        for (int i = 0; i < targets.Length; i++)
        {
            if (incremental && !include[i])
            {
                continue;
            }
            if (topic is null || topic.TopicId != targets[i].TopicId || !string.Equals(topic.Topic, targets[i].Topic, StringComparison.Ordinal))
            {
                topic = new FetchResponse.FetchableTopicResponse { Topic = targets[i].Topic, TopicId = targets[i].TopicId };
                response.Responses.Add(topic);
            }
            topic.Partitions.Add(data[i]!);
        }
        return response;
    }
}
