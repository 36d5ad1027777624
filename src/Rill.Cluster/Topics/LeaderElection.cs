namespace Rill.Cluster.Topics;

/// <summary>
/// The controller's decision for one partition when brokers come and go (Kafka's
/// OfflinePartitionLeaderElectionStrategy with unclean.leader.election.enable=false): a leader that is
/// gone is replaced by the first live replica (in assignment order) that is in the ISR, with the leader
/// epoch bumped; dead brokers leave the ISR, except that the last ISR member stays (it holds every
/// acknowledged record, so only it may lead again). No live ISR member: the partition goes offline
/// (leader -1) until one returns.
/// </summary>
public static class LeaderElection
{
    /// <summary>The partition's next state, or null when nothing changes.</summary>
    public static PartitionState? OnBrokersChanged(PartitionState state, IReadOnlySet<int> live, bool uncleanAllowed = false)
    {
        bool leaderAlive = state.Leader >= 0 && live.Contains(state.Leader);
        int[] isr = state.Isr.Where(live.Contains).ToArray();
        if (leaderAlive)
        {
            if (isr.Length == state.Isr.Length)
            {
                return null;
            }
            return state with { Isr = isr.Length > 0 ? isr : [state.Leader], LeaderEpoch = state.LeaderEpoch };
        }
        int leader = state.Replicas.FirstOrDefault(r => live.Contains(r) && state.InIsr(r), -1);
        if (leader < 0 && uncleanAllowed)
        {
            leader = state.Replicas.FirstOrDefault(live.Contains, -1);
            if (leader >= 0)
            {
                return state with { Leader = leader, LeaderEpoch = state.LeaderEpoch + 1, Isr = [leader] };
            }
        }
        if (leader < 0)
        {
            // Offline: keep the last ISR (the replicas that may lead again) and say there is no leader.
            return state.Leader == -1 ? null : state with { Leader = -1, LeaderEpoch = state.LeaderEpoch + 1, Isr = state.Isr };
        }
        return state with { Leader = leader, LeaderEpoch = state.LeaderEpoch + 1, Isr = isr };
    }

    /// <summary>Controlled shutdown of <paramref name="leaving"/>: another live ISR member takes over (null: none can, or it does not lead).</summary>
    public static PartitionState? MoveLeadershipAway(PartitionState state, int leaving, IReadOnlySet<int> live)
    {
        if (state.Leader != leaving)
        {
            return state.InIsr(leaving) && state.Isr.Length > 1 ? state with { Isr = state.Isr.Where(r => r != leaving).ToArray() } : null;
        }
        int leader = state.Replicas.FirstOrDefault(r => r != leaving && live.Contains(r) && state.InIsr(r), -1);
        return leader < 0 ? null : state with { Leader = leader, LeaderEpoch = state.LeaderEpoch + 1, Isr = state.Isr.Where(r => r != leaving).ToArray() };
    }
}
