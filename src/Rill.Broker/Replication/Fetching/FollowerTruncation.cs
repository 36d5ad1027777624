using Microsoft.Extensions.Logging;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication.Fetching;

/// <summary>
/// A followed partition's truncation (KIP-101/279) from the leader's OffsetForLeaderEpoch answer for its latest epoch:
/// truncate to where the logs diverge (<see cref="Divergence"/>), and ask again with the new latest epoch while the leader
/// names an epoch this log never had. Called under the fetcher's lock.
/// </summary>
internal static class FollowerTruncation
{
    public static void OnEpochAnswer(FollowedPartition p, int askedEpoch, OffsetForLeaderEpochResponse.EpochEndOffset answer, int leader,
        ReplicaFetcherSettings settings, TimeProvider time, ILogger log)
    {
        var error = (ErrorCode)answer.ErrorCode;
        if (error != ErrorCode.None)
        {
            log.LogDebug("{Topic}-{Partition}: OffsetForLeaderEpoch from broker {Leader} failed ({Error})", p.Topic, p.Index, leader, error);
            p.Delay(time, FollowerFetchAnswer.RetryAfterMs(error, settings), error);
            return;
        }
        if (p.Partition.Log.LeaderEpochs.LatestEpoch != askedEpoch)
        {
            return; // the log changed meanwhile: ask again
        }
        var leaderEnd = new Storage.Epochs.EpochEndOffset(answer.LeaderEpoch, answer.EndOffset);
        Divergence.Step step = Divergence.Next(leaderEnd, p.Partition.Log.LeaderEpochs, p.Partition.Log.LogEndOffset, p.Replica.HighWatermark);
        Truncate(p, step.TruncateTo, leader, $"epoch {askedEpoch}: leader {leader} answers epoch {leaderEnd.Epoch} ends at {leaderEnd.EndOffset}", log);
        p.TruncationRound(step.Done, ReplicaFetcher.MaxTruncationRounds);
    }

    /// <summary>Truncates the log to <paramref name="offset"/> if it is longer, and bounds the high watermark by what is left.</summary>
    public static void Truncate(FollowedPartition p, long offset, int leader, string why, ILogger log)
    {
        var partitionLog = p.Partition.Log;
        if (partitionLog.LogEndOffset > offset)
        {
            long before = partitionLog.LogEndOffset;
            long leo = partitionLog.TruncateTo(offset);
            log.LogInformation("{Topic}-{Partition}: truncated from {Before} to {Offset} following leader {Leader} in epoch {Epoch} ({Why})",
                p.Topic, p.Index, before, leo, leader, p.LeaderEpoch, why);
        }
        p.Replica.ClampHighWatermark(partitionLog.LogEndOffset);
    }
}
