using System.Collections.Concurrent;

namespace Rill.Coordination.Groups;

/// <summary>Committed offsets by group, topic and partition (in memory for now).</summary>
internal sealed class OffsetStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<(string Topic, int Partition), CommittedOffset>> _byGroup = new(StringComparer.Ordinal);

    public void Commit(string group, string topic, int partition, CommittedOffset offset)
        => _byGroup.GetOrAdd(group, _ => new())[(topic, partition)] = offset;

    public CommittedOffset? Get(string group, string topic, int partition)
        => _byGroup.TryGetValue(group, out var offsets) && offsets.TryGetValue((topic, partition), out CommittedOffset offset) ? offset : null;

    public IReadOnlyList<(string Topic, int Partition, CommittedOffset Offset)> All(string group)
        => _byGroup.TryGetValue(group, out var offsets)
            ? offsets.Select(p => (p.Key.Topic, p.Key.Partition, p.Value)).OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList()
            : [];

    public bool HasGroup(string group) => _byGroup.ContainsKey(group);

    public IEnumerable<string> GroupIds() => _byGroup.Keys;

    public bool RemoveGroup(string group) => _byGroup.TryRemove(group, out _);

    public void Remove(string group, string topic, int partition)
    {
        if (_byGroup.TryGetValue(group, out var offsets))
        {
            offsets.TryRemove((topic, partition), out _);
        }
    }
}
