using Rill.Broker.Topics;

namespace Rill.Broker.Replication;

/// <summary>
/// A follower keeps the leader's log start offset (DeleteRecords, retention on the leader), as Kafka's followers
/// do from each fetch answer: when the leader's is ahead of the follower's own and within what the follower has,
/// the follower moves its start there (deleting whole segments below it). The log start checkpoint is written
/// with the others (every retention pass and at shutdown).
/// </summary>
internal static class FollowerLogStart
{
    public static void Follow(Partition partition, long leaderLogStartOffset)
    {
        var log = partition.Log;
        if (leaderLogStartOffset <= log.LogStartOffset || leaderLogStartOffset > log.LogEndOffset)
        {
            return;
        }
        log.AdvanceLogStartOffset(leaderLogStartOffset);
    }
}
