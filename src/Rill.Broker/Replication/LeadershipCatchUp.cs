using System.Diagnostics;
using Rill.Broker.Topics;
using Rill.Cluster.Topics;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication;

/// <summary>
/// Before a broker refuses a produce with NOT_LEADER_OR_FOLLOWER for a partition whose ISR it is in, it makes sure
/// that it is not merely late: every broker applies the store's leader changes from its own watch, so another broker
/// can already tell a client (Metadata) that this one leads while this one has not applied it yet. Such a client sends
/// its batches at once; refusing the first with NOT_LEADER and accepting the next a few milliseconds later (once the
/// watch caught up) leaves a sequence gap that the new leader must answer OUT_OF_ORDER_SEQUENCE_NUMBER, which
/// librdkafka before 2.3.0 takes for a fatal desynchronisation when the refused batch had earlier failed with a
/// transport error (its issue #4438; seen once in 100 leader kills). So the broker reads the topic from the store
/// (linearizable) and, when the store is ahead of what it applied, waits (bounded) for its watch to apply that
/// revision, then handles the request with the current leadership. Only ISR members can be elected (unclean elections
/// aside), so a produce reaching a replica outside the ISR, or a partition this broker does not host, is refused at
/// once; a leader pays nothing.
/// </summary>
internal static class LeadershipCatchUp
{
    /// <summary>How long a produce may wait for the store read and the watch (less when the request's timeout is shorter).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(3);

    /// <summary>The topics of <paramref name="request"/> with a partition this broker would refuse as an ISR follower (null: none).</summary>
    public static List<string>? TopicsToCheck(TopicManager topics, ProduceRequest request)
    {
        List<string>? result = null;
        foreach (var topicData in request.TopicData)
        {
            if (topics.Find(topicData.Name) is not { } topic)
            {
                continue;
            }
            foreach (var partitionData in topicData.PartitionData)
            {
                if (topic.GetPartition(partitionData.Index)?.Replica is { } replica && IsIsrFollower(replica))
                {
                    (result ??= []).Add(topicData.Name);
                    break;
                }
            }
        }
        return result;
    }

    private static bool IsIsrFollower(PartitionReplica replica)
    {
        PartitionState state = replica.State;
        return state.Leader != replica.Self && state.IsHostedBy(replica.Self) && state.InIsr(replica.Self);
    }

    /// <summary>
    /// Waits until this broker has applied every change of <paramref name="topicNames"/> the store holds now, at most
    /// <paramref name="timeout"/>. False when the store could not be read or the watch did not catch up in time (the
    /// request is then handled with what this broker knows).
    /// </summary>
    public static async Task<bool> CatchUpAsync(TopicRegistry registry, IReadOnlyList<string> topicNames, TimeSpan timeout)
    {
        long started = Stopwatch.GetTimestamp();
        using var cts = new CancellationTokenSource(timeout);
        long newest = 0;
        try
        {
            foreach (string name in topicNames)
            {
                VersionedTopic? stored = await registry.ReadAsync(name, cts.Token).ConfigureAwait(false);
                newest = Math.Max(newest, stored?.ModRevision ?? 0);
            }
        }
        catch (Exception)
        {
            return false; // store unreachable or too slow: answer from the local view
        }
        if (registry.AppliedRevision >= newest)
        {
            return true;
        }
        TimeSpan left = timeout - Stopwatch.GetElapsedTime(started);
        return left > TimeSpan.Zero
            && await registry.WaitAppliedAsync(_ => registry.AppliedRevision >= newest, left).ConfigureAwait(false);
    }
}
