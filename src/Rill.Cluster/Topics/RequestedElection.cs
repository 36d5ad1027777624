namespace Rill.Cluster.Topics;

/// <summary>ElectLeaders' election types (wire values).</summary>
public enum ElectionType : sbyte
{
    Preferred = 0,
    Unclean = 1,
}

/// <summary>Why an election asked for did not change the partition (mapped to Kafka's error codes by the broker).</summary>
public enum ElectionOutcome
{
    Elected,
    /// <summary>ELECTION_NOT_NEEDED: the preferred replica already leads (preferred), or a leader is live (unclean).</summary>
    NotNeeded,
    /// <summary>PREFERRED_LEADER_NOT_AVAILABLE: the preferred replica is not live or not in the ISR.</summary>
    PreferredNotAvailable,
    /// <summary>ELIGIBLE_LEADERS_NOT_AVAILABLE: no live replica may lead.</summary>
    NoEligibleLeader,
}

/// <summary>
/// Elections asked for by an operator (ElectLeaders, KIP-460) or by the controller's preferred-leader
/// balancing. Preferred: the first replica of the assignment takes over if it is live and in the ISR.
/// Unclean: only for a partition without a live leader; a live ISR member is taken first, otherwise the
/// first live replica (its log becomes the truth; records only the others had are lost), with the ISR
/// reset to it.
/// </summary>
public static class RequestedElection
{
    public static (ElectionOutcome Outcome, PartitionState? Next) Elect(PartitionState state, ElectionType type, IReadOnlySet<int> live)
    {
        if (type == ElectionType.Preferred)
        {
            int preferred = state.PreferredLeader;
            if (state.Leader == preferred && live.Contains(preferred))
            {
                return (ElectionOutcome.NotNeeded, null);
            }
            if (preferred < 0 || !live.Contains(preferred) || !state.InIsr(preferred))
            {
                return (ElectionOutcome.PreferredNotAvailable, null);
            }
            return (ElectionOutcome.Elected, state with { Leader = preferred, LeaderEpoch = state.LeaderEpoch + 1 });
        }
        if (state.Leader >= 0 && live.Contains(state.Leader))
        {
            return (ElectionOutcome.NotNeeded, null);
        }
        int clean = state.Replicas.FirstOrDefault(r => live.Contains(r) && state.InIsr(r), -1);
        if (clean >= 0)
        {
            return (ElectionOutcome.Elected, state with { Leader = clean, LeaderEpoch = state.LeaderEpoch + 1, Isr = state.Isr.Where(live.Contains).ToArray() });
        }
        int unclean = state.Replicas.FirstOrDefault(live.Contains, -1);
        return unclean < 0
            ? (ElectionOutcome.NoEligibleLeader, null)
            : (ElectionOutcome.Elected, state with { Leader = unclean, LeaderEpoch = state.LeaderEpoch + 1, Isr = [unclean] });
    }
}
