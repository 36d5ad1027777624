using Rill.Storage.Epochs;

namespace Rill.Broker.Replication;

/// <summary>
/// KIP-279's follower truncation step: given the leader's OffsetForLeaderEpoch answer for this follower's latest epoch,
/// where to truncate and whether that is the divergence point or the loop must ask again (with the follower's new
/// latest epoch). Pure logic over the follower's epoch cache, as Kafka's AbstractFetcherThread.getOffsetTruncationState.
/// </summary>
internal static class Divergence
{
    public readonly record struct Step(long TruncateTo, bool Done);

    public static Step Next(EpochEndOffset leader, LeaderEpochCache local, long logEndOffset, long highWatermark)
    {
        if (leader.EndOffset < 0)
        {
            // The leader knows no epoch at or below ours: fall back to the high watermark (Kafka's rule).
            return new Step(Math.Min(highWatermark, logEndOffset), true);
        }
        if (leader.Epoch < 0)
        {
            return new Step(Math.Min(leader.EndOffset, logEndOffset), true); // an answer without an epoch (v0)
        }
        EpochEndOffset mine = local.EndOffsetFor(leader.Epoch, logEndOffset);
        if (mine.IsUndefined)
        {
            return new Step(Math.Min(leader.EndOffset, logEndOffset), true);
        }
        if (mine.Epoch != leader.Epoch)
        {
            // The leader's largest epoch at or below ours is one this log never had: drop our epochs above it and ask
            // again with the epoch that is then our latest.
            return new Step(Math.Min(mine.EndOffset, logEndOffset), false);
        }
        return new Step(Math.Min(Math.Min(mine.EndOffset, leader.EndOffset), logEndOffset), true);
    }
}
