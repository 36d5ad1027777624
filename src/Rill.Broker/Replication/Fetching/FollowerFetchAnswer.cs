using Microsoft.Extensions.Logging;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication.Fetching;

/// <summary>
/// What a follower does with the leader's answer for one partition of a fetch (Kafka's processFetchRequest, per partition).
/// Records are appended with the leader's offsets and epochs (<c>PartitionLog.AppendAsFollower</c>) and the leader's high
/// watermark and log start taken (bounded by this log); an error affects this partition only. Called under the fetcher's lock.
/// </summary>
internal static class FollowerFetchAnswer
{
    /// <summary>How long a partition sits out after <paramref name="error"/>.</summary>
    public static int RetryAfterMs(ErrorCode error, ReplicaFetcherSettings settings) => error switch
    {
        // The leader has not applied the newest leadership yet (or this follower has not): a race of milliseconds.
        ErrorCode.NotLeaderOrFollower or ErrorCode.UnknownLeaderEpoch or ErrorCode.UnknownTopicOrPartition => settings.MetadataRaceRetryMs,
        _ => settings.BackoffMs,
    };

    public static void Apply(FollowedPartition p, long fetchOffset, FetchResponse.PartitionData data, int leader, ReplicaFetcherSettings settings,
        TimeProvider time, ILogger log)
    {
        var partitionLog = p.Partition.Log;
        if (partitionLog.LogEndOffset != fetchOffset || p.Truncating)
        {
            return; // the log moved since the request was built: the answer is for a position this log no longer has
        }
        var error = (ErrorCode)data.ErrorCode;
        if (error == ErrorCode.OffsetOutOfRange)
        {
            if (data.LogStartOffset > fetchOffset)
            {
                // The leader deleted what this log would fetch next (retention, DeleteRecords): start at its log start.
                partitionLog.TruncateFullyAndStartAt(data.LogStartOffset);
                p.Replica.ClampHighWatermark(data.LogStartOffset);
                log.LogInformation("{Topic}-{Partition}: log end {Offset} is below leader {Leader}'s log start; emptied and restarted at {Start}",
                    p.Topic, p.Index, fetchOffset, leader, data.LogStartOffset);
                return;
            }
            p.StartTruncation(); // beyond the leader's log end: find the divergence point again
            p.Delay(time, settings.MetadataRaceRetryMs, error);
            return;
        }
        if (error != ErrorCode.None)
        {
            log.LogDebug("{Topic}-{Partition}: fetch from broker {Leader} in epoch {Epoch} answered {Error}", p.Topic, p.Index, leader, p.LeaderEpoch, error);
            p.Delay(time, RetryAfterMs(error, settings), error);
            return;
        }
        if (data.DivergingEpoch is { Epoch: >= 0 })
        {
            p.StartTruncation(); // KIP-595's answer (Fetch v12+): the truncation loop finds the exact point
            return;
        }
        if (data.Records is { Length: > 0 } records)
        {
            var result = partitionLog.AppendAsFollower(records.Span);
            if (result.Error != ErrorCode.None)
            {
                log.LogWarning("{Topic}-{Partition}: follower append at {Offset} failed: {Error}", p.Topic, p.Index, fetchOffset, result.Error);
                TruncateToDivergingBatch(p, records.Span, fetchOffset, leader, log);
                p.Delay(time, settings.MetadataRaceRetryMs, result.Error);
                return;
            }
            p.Partition.Appended.Notify();
        }
        p.Replica.SetFollowerHighWatermark(data.HighWatermark, partitionLog.LogEndOffset);
        FollowerLogStart.Follow(p.Partition, data.LogStartOffset);
    }

    /// <summary>
    /// The leader answered a fetch at <paramref name="offset"/> (this log's end) with a batch that starts below it and ends at
    /// or above it: this log's tail is not the leader's (its batches differ, so it holds records the leader never committed,
    /// e.g. a partitioned old leader's unacknowledged writes) and the epoch loop did not see it (a log without epochs): the
    /// leader's batch boundary is the best known divergence point: truncate to it and refetch, instead of failing the same
    /// append forever (found by bench/cluster/jepsen.py).
    /// </summary>
    private static void TruncateToDivergingBatch(FollowedPartition p, ReadOnlySpan<byte> records, long offset, int leader, ILogger log)
    {
        if (ReplicaDivergence.TruncationPoint(records, offset, p.Partition.Log.LogStartOffset) is { } point)
        {
            long leo = p.Partition.Log.TruncateTo(point);
            p.Replica.ClampHighWatermark(leo);
            log.LogWarning("{Topic}-{Partition}: log diverged from leader {Leader} (epoch {Epoch}): truncated to {Offset}, the start of the leader's batch",
                p.Topic, p.Index, leader, p.LeaderEpoch, leo);
        }
    }
}
