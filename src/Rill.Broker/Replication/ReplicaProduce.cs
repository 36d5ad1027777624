using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication;

/// <summary>
/// Produce to a replicated partition: only the leader appends (NOT_LEADER_OR_FOLLOWER elsewhere, so clients
/// refresh their metadata); acks=all needs at least min.insync.replicas in the ISR (NOT_ENOUGH_REPLICAS) and is
/// answered once the high watermark covers the appended records, or REQUEST_TIMED_OUT after the request's timeout.
/// </summary>
internal static class ReplicaProduce
{
    public static bool Reject(PartitionReplica replica, Partition partition, short acks, out ErrorCode error, out string? message)
    {
        if (!replica.IsLeader)
        {
            (error, message) = (ErrorCode.NotLeaderOrFollower, $"This broker does not lead {partition.Topic.Name}-{partition.Index} (leader {replica.LeaderId}).");
            return true;
        }
        int minIsr = partition.Topic.Config.MinInsyncReplicas;
        int isr = replica.State.Isr.Length;
        if (acks == -1 && isr < minIsr)
        {
            (error, message) = (ErrorCode.NotEnoughReplicas, $"The ISR of {partition.Topic.Name}-{partition.Index} has {isr} replicas, fewer than min.insync.replicas ({minIsr}).");
            return true;
        }
        (error, message) = (ErrorCode.None, null);
        return false;
    }

    /// <summary>Waits for every acks=all partition's high watermark; each answer gets its outcome.</summary>
    public static async Task<ProduceResponse?> WaitForIsrAsync(ProduceResponse response,
        List<(ProduceResponse.PartitionProduceResponse Answer, Task<ErrorCode> Committed)> pending, int timeoutMs)
    {
        Task all = Task.WhenAll(pending.Select(p => p.Committed));
        await Task.WhenAny(all, Task.Delay(Math.Max(0, timeoutMs))).ConfigureAwait(false);
        foreach (var (answer, committed) in pending)
        {
            ErrorCode error = committed.IsCompletedSuccessfully ? committed.Result : ErrorCode.RequestTimedOut;
            if (error != ErrorCode.None)
            {
                answer.ErrorCode = (short)error;
                answer.ErrorMessage = error == ErrorCode.RequestTimedOut
                    ? "The in-sync replicas did not confirm the records within the request timeout."
                    : "Leadership moved before the in-sync replicas confirmed the records.";
                answer.BaseOffset = -1;
            }
        }
        return response;
    }
}
