using Rill.Broker.Topics;
using Rill.Coordination.Groups;
using Rill.Protocol;

namespace Rill.Broker.Replication;

/// <summary>
/// A coordinator's write to its internal partition in cluster mode, with acks=all semantics: only the
/// partition's leader writes (NOT_COORDINATOR otherwise, so clients find the new coordinator), the ISR must
/// hold min.insync.replicas, and the write counts only once the high watermark covers it. Nothing changes on
/// a single node (<see cref="Partition.Replica"/> is null there).
/// </summary>
internal static class CoordinatorWrites
{
    /// <summary>Before appending: the error (thrown) when this broker may not write to the partition.</summary>
    public static void CheckLeader(Partition partition)
    {
        if (partition.Replica is not { } replica)
        {
            return;
        }
        if (!replica.IsLeader)
        {
            throw new GroupStateLogException(ErrorCode.NotCoordinator,
                $"This broker no longer leads {partition.Topic.Name}-{partition.Index} (leader {replica.LeaderId}).");
        }
        int minIsr = partition.Topic.Config.MinInsyncReplicas;
        if (replica.State.Isr.Length < minIsr)
        {
            throw new GroupStateLogException(ErrorCode.NotEnoughReplicas,
                $"The ISR of {partition.Topic.Name}-{partition.Index} has {replica.State.Isr.Length} replicas, fewer than min.insync.replicas ({minIsr}).");
        }
    }

    /// <summary>
    /// After a log-level append ending at <paramref name="lastOffset"/>: tells the replica (so the high watermark
    /// can move) and waits until the in-sync replicas have it; throws when they do not within the timeout or
    /// when leadership moved. Blocks the calling coordinator loop, as the coordinator's writes are synchronous.
    /// </summary>
    public static void AwaitCommitted(Partition partition, long lastOffset, int timeoutMs, bool notifyReplica)
    {
        if (partition.Replica is not { } replica)
        {
            return;
        }
        if (notifyReplica)
        {
            replica.OnLeaderAppended(lastOffset + 1);
        }
        Task<ErrorCode> committed = replica.WaitForHighWatermarkAsync(lastOffset);
        if (!committed.Wait(timeoutMs))
        {
            throw new GroupStateLogException(ErrorCode.RequestTimedOut,
                $"The in-sync replicas of {partition.Topic.Name}-{partition.Index} did not confirm offset {lastOffset} within {timeoutMs} ms.");
        }
        if (committed.Result != ErrorCode.None)
        {
            throw new GroupStateLogException(ErrorCode.NotCoordinator,
                $"Leadership of {partition.Topic.Name}-{partition.Index} moved before offset {lastOffset} was committed.");
        }
    }

    /// <summary>The same as a task, for writers that are asynchronous (markers).</summary>
    public static async Task<ErrorCode> CommittedAsync(Partition partition, long lastOffset, int timeoutMs)
    {
        if (partition.Replica is not { } replica)
        {
            return ErrorCode.None;
        }
        replica.OnLeaderAppended(lastOffset + 1);
        Task<ErrorCode> committed = replica.WaitForHighWatermarkAsync(lastOffset);
        if (await Task.WhenAny(committed, Task.Delay(timeoutMs)).ConfigureAwait(false) != committed)
        {
            return ErrorCode.RequestTimedOut;
        }
        return committed.Result;
    }
}
