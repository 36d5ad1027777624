using Microsoft.Extensions.Logging;

namespace Rill.Broker.Topics;

internal sealed partial class TopicManager
{
    /// <summary>
    /// Cluster mode: makes the local topic match the one in the metadata store (same id, at least
    /// <paramref name="partitions"/> partitions, these overrides). A local topic of that name with another id
    /// (deleted and recreated while this broker was away) is dropped first. Returns the local topic.
    /// </summary>
    public Topic EnsureClusterTopic(string name, Guid id, int partitions, Dictionary<string, string> overrides)
    {
        if (_snapshot.ByName.TryGetValue(name, out Topic? stale) && stale.Id != id)
        {
            Delete(name);
        }
        lock (_changeLock)
        {
            Snapshot current = _snapshot;
            Topic? existing = current.ByName.GetValueOrDefault(name);
            if (existing is null)
            {
                TopicSettings settings = TopicSettings.Resolve(overrides, _layers.Current, out _);
                var topic = new Topic(name, id, overrides, settings);
                topic.Partitions = OpenPartitions(topic, partitions);
                var byName = new Dictionary<string, Topic>(current.ByName, StringComparer.Ordinal) { [name] = topic };
                var byId = new Dictionary<Guid, Topic>(current.ById) { [id] = topic };
                _store!.Save(byName.Values.Select(t => t.ToRecord()));
                _snapshot = new Snapshot(byName, byId);
                _log.LogInformation("Created replica topic {Topic} ({Id}) with {Partitions} partitions", name, id, partitions);
                return topic;
            }
            if (existing.Partitions.Length < partitions)
            {
                existing.Partitions = OpenPartitions(existing, existing.Partitions.Length, partitions);
                _store!.Save(_snapshot.ByName.Values.Select(t => t.ToRecord()));
            }
            if (!SameOverrides(existing.Overrides, overrides))
            {
                existing.Reconfigure(overrides, TopicSettings.Resolve(overrides, _layers.Current, out _));
                foreach (Partition partition in existing.Partitions)
                {
                    partition.Log.UpdateConfig(existing.Config.Log);
                }
                _store!.Save(_snapshot.ByName.Values.Select(t => t.ToRecord()));
            }
            return existing;
        }
    }

    private static bool SameOverrides(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
        => a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out string? v) && v == kv.Value);
}
