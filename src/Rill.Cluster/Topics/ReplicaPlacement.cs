namespace Rill.Cluster.Topics;

/// <summary>
/// Where new partitions' replicas go, as Kafka's rack-aware assignment does: brokers are ordered so that
/// consecutive ones alternate racks, partition p's replicas are consecutive brokers of that list starting
/// at (start + p), with a shift that grows every full round so followers spread too. The first replica is
/// the preferred leader, so leaders spread evenly across brokers; with as many racks as the replication
/// factor, every partition has one replica per rack.
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
        int n = ordered.Length;
        var result = new int[partitions][];
        for (int i = 0; i < partitions; i++)
        {
            int p = firstPartition + i;
            int first = (start + p) % n;
            int shift = 1 + (p / n) % Math.Max(1, n - 1);
            var replicas = new List<int>(replicationFactor) { ordered[first] };
            int step = 0;
            while (replicas.Count < replicationFactor)
            {
                step++;
                int candidate = ordered[(first + step * shift) % n];
                if (!replicas.Contains(candidate))
                {
                    replicas.Add(candidate);
                }
                else if (step > 2 * n)
                {
                    // The shift cycles through taken brokers (n and shift not coprime): fall back to the next free one.
                    replicas.Add(ordered.First(b => !replicas.Contains(b)));
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
