using Rill.Broker.Topics;

namespace Rill.Broker.Replication.Fetching;

/// <summary>
/// One partition in a <see cref="ReplicaFetcher"/>'s set (Kafka's PartitionFetchState): the local partition and replica,
/// the leader epoch it follows, whether it must first find where its log diverges from the leader's (a new epoch, an
/// out-of-range answer, a diverging epoch) and until when it is left out of fetches after an error. A new epoch is a new
/// instance, so an answer for the old one is recognised by reference and dropped. Changed only under the fetcher's lock.
/// </summary>
internal sealed class FollowedPartition
{
    public FollowedPartition(Partition partition, PartitionReplica replica, int leaderEpoch)
    {
        Partition = partition;
        Replica = replica;
        LeaderEpoch = leaderEpoch;
    }

    public Partition Partition { get; }
    public PartitionReplica Replica { get; }
    public int LeaderEpoch { get; }
    public string Topic => Partition.Topic.Name;
    public int Index => Partition.Index;

    /// <summary>OffsetForLeaderEpoch rounds are due before the next fetch (KIP-101/279).</summary>
    public bool Truncating { get; private set; } = true;

    /// <summary>Rounds of the truncation loop taken so far (bounded: a log that never converges fetches anyway).</summary>
    public int TruncationRounds { get; private set; }

    /// <summary>Left out of requests until this time (TimeProvider timestamp); 0 = not delayed.</summary>
    public long DelayedUntil { get; private set; }

    /// <summary>The last error that delayed it (for logs and tests).</summary>
    public Rill.Protocol.ErrorCode LastError { get; private set; }

    public bool IsDelayed(long now) => now < DelayedUntil;

    public void Delay(TimeProvider time, int milliseconds, Rill.Protocol.ErrorCode error)
    {
        LastError = error;
        DelayedUntil = time.GetTimestamp() + (long)(milliseconds * (time.TimestampFrequency / 1000.0));
    }

    /// <summary>Back to the truncation loop (out of range above the leader's end, a diverging epoch).</summary>
    public void StartTruncation()
    {
        Truncating = true;
        TruncationRounds = 0;
    }

    /// <summary>One truncation round taken; the loop ends when the divergence point is found or after <paramref name="maxRounds"/>.</summary>
    public void TruncationRound(bool done, int maxRounds)
    {
        TruncationRounds++;
        if (done || TruncationRounds >= maxRounds)
        {
            Truncating = false;
        }
    }

    public void TruncationDone() => Truncating = false;
}
