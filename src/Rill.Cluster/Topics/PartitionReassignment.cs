namespace Rill.Cluster.Topics;

/// <summary>
/// Partition reassignment (KIP-455), as Kafka's controller does it. Starting one writes the full replica set
/// (target, then the original replicas not in it) with the adding and removing sets; the added replicas
/// start following and catch up. Once every target replica is in the ISR the controller completes it: the
/// replicas become the target, removed replicas leave the ISR (and delete their logs when they apply the
/// change), and a leader outside the target hands over to the first target replica in the ISR (epoch
/// bumped). Cancelling goes back to the original replicas the same way.
/// </summary>
public static class PartitionReassignment
{
    /// <summary>The replicas before the reassignment in progress (all of them when none is).</summary>
    public static int[] Original(PartitionState state)
        => state.AddingReplicas is { Length: > 0 } adding ? state.Replicas.Where(r => Array.IndexOf(adding, r) < 0).ToArray() : state.Replicas;

    /// <summary>The replicas the reassignment in progress moves to (all of them when none is).</summary>
    public static int[] Target(PartitionState state)
        => state.RemovingReplicas is { Length: > 0 } removing ? state.Replicas.Where(r => Array.IndexOf(removing, r) < 0).ToArray() : state.Replicas;

    /// <summary>Null when the target is acceptable, otherwise why not (INVALID_REPLICA_ASSIGNMENT).</summary>
    public static string? Validate(IReadOnlyList<int> target, IReadOnlySet<int> registered)
    {
        if (target.Count == 0)
        {
            return "The replica list is empty.";
        }
        if (target.Distinct().Count() != target.Count)
        {
            return $"The replica list [{string.Join(",", target)}] names a broker twice.";
        }
        if (target.FirstOrDefault(r => !registered.Contains(r), -1) is var unknown and >= 0)
        {
            return $"Broker {unknown} in [{string.Join(",", target)}] is not a registered broker.";
        }
        return null;
    }

    /// <summary>
    /// Starts (or replaces) a reassignment to <paramref name="target"/>; the result is already complete when no
    /// replica is added (a reorder or a shrink).
    /// </summary>
    public static PartitionState Start(PartitionState state, IReadOnlyList<int> target, IReadOnlySet<int> live)
    {
        int[] original = Original(state);
        int[] adding = target.Where(r => Array.IndexOf(original, r) < 0).ToArray();
        int[] removing = original.Where(r => !target.Contains(r)).ToArray();
        PartitionState next = state with
        {
            Replicas = [.. target, .. removing],
            AddingReplicas = adding.Length > 0 ? adding : null,
            RemovingReplicas = removing.Length > 0 ? removing : null,
            // Replicas dropped from an earlier reassignment's additions leave the ISR at once.
            Isr = state.Isr.Where(r => target.Contains(r) || Array.IndexOf(original, r) >= 0).ToArray(),
        };
        return TryComplete(next, live) ?? next;
    }

    /// <summary>Cancels the reassignment in progress (null: none is): back to the original replicas.</summary>
    public static PartitionState? Cancel(PartitionState state, IReadOnlySet<int> live)
    {
        if (!state.IsReassigning)
        {
            return null;
        }
        int[] original = Original(state);
        return Finish(state, original, live);
    }

    /// <summary>The completed assignment when every target replica is in the ISR; null while some are not (or nothing is in progress).</summary>
    public static PartitionState? TryComplete(PartitionState state, IReadOnlySet<int> live)
    {
        if (!state.IsReassigning)
        {
            return null;
        }
        int[] target = Target(state);
        return target.All(state.InIsr) ? Finish(state, target, live) : null;
    }

    private static PartitionState Finish(PartitionState state, int[] replicas, IReadOnlySet<int> live)
    {
        int[] isr = state.Isr.Where(r => Array.IndexOf(replicas, r) >= 0).ToArray();
        PartitionState next = state with { Replicas = replicas, AddingReplicas = null, RemovingReplicas = null, Isr = isr };
        if (Array.IndexOf(replicas, state.Leader) >= 0)
        {
            return isr.Length > 0 ? next : next with { Isr = [state.Leader] };
        }
        // The leader is removed: the first replica of the new set that is live and in sync takes over.
        int leader = replicas.FirstOrDefault(r => live.Contains(r) && Array.IndexOf(isr, r) >= 0, -1);
        return next with { Leader = leader, LeaderEpoch = state.LeaderEpoch + 1, Isr = leader >= 0 ? isr : state.Isr.Where(r => Array.IndexOf(replicas, r) >= 0).ToArray() };
    }
}
