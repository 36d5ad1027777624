namespace Rill.Cluster.Topics;

/// <summary>
/// Where new partitions' replicas go, as Kafka's assignment does: brokers are ordered so that consecutive
/// ones alternate racks; partition p's leader is broker (start + p) of that list and its followers sit at
/// offsets 1 + (shift + k) mod (n - 1) from it, the shift growing every full round, so leaders and followers
/// spread evenly. Followers on racks the partition does not use yet come first, so with at least as many
/// racks as the replication factor every partition has each replica on another rack.
/// </summary>
public static class ReplicaPlacement
{
    public static int[][] Place(IReadOnlyList<BrokerInfo> brokers, int partitions, int replicationFactor, int firstPartition = 0, int start = 0)
    {
        if (replicationFactor < 1 || replicationFactor > brokers.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(replicationFactor),
                $"Replication factor {replicationFactor} is larger than the number of available brokers ({brokers.Count}).");
        }
        int[] ordered = RackAlternated(brokers);
        var rackOf = brokers.ToDictionary(b => b.Id, b => b.Rack ?? "");
        int racks = rackOf.Values.Distinct().Count();
        int n = ordered.Length;
        var result = new int[partitions][];
        for (int i = 0; i < partitions; i++)
        {
            int p = firstPartition + i;
            int first = (start + p) % n;
            int shift = (start + p / n) % Math.Max(1, n - 1);
            var replicas = new List<int>(replicationFactor) { ordered[first] };
            var usedRacks = new HashSet<string> { rackOf[ordered[first]] };
            // Followers at offsets 1 + (shift + k) mod (n - 1) from the leader (Kafka's formula), preferring unused racks.
            int[] candidates = Enumerable.Range(0, n - 1).Select(k => ordered[(first + 1 + (shift + k) % (n - 1)) % n]).ToArray();
            foreach (int candidate in candidates)
            {
                if (replicas.Count < replicationFactor && usedRacks.Count < racks && usedRacks.Add(rackOf[candidate]))
                {
                    replicas.Add(candidate);
                }
            }
            foreach (int candidate in candidates)
            {
                if (replicas.Count < replicationFactor && !replicas.Contains(candidate))
                {
                    replicas.Add(candidate);
                }
            }
            result[i] = [.. replicas];
        }
        return result;
    }

    /// <summary>Brokers ordered rack by rack in turn (r1 a, r2 b, r3 c, r1 d, ...); without racks, by id.</summary>
    public static int[] RackAlternated(IReadOnlyList<BrokerInfo> brokers)
    {
        var byRack = brokers.OrderBy(b => b.Id).GroupBy(b => b.Rack ?? "").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Queue<int>(g.Select(b => b.Id))).ToList();
        var ordered = new List<int>(brokers.Count);
        while (ordered.Count < brokers.Count)
        {
            foreach (Queue<int> rack in byRack)
            {
                if (rack.Count > 0)
                {
                    ordered.Add(rack.Dequeue());
                }
            }
        }
        return [.. ordered];
    }
}
