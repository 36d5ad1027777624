using Microsoft.Extensions.Logging;
using Rill.Storage;

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
                topic.Partitions = OpenPartitions(topic, 0, partitions, lazy: true);
                var byName = new Dictionary<string, Topic>(current.ByName, StringComparer.Ordinal) { [name] = topic };
                var byId = new Dictionary<Guid, Topic>(current.ById) { [id] = topic };
                _store!.Save(byName.Values.Select(t => t.ToRecord()));
                _snapshot = new Snapshot(byName, byId);
                _log.LogInformation("Created replica topic {Topic} ({Id}) with {Partitions} partitions", name, id, partitions);
                return topic;
            }
            if (existing.Partitions.Length < partitions)
            {
                existing.Partitions = OpenPartitions(existing, existing.Partitions.Length, partitions, lazy: true);
                _store!.Save(_snapshot.ByName.Values.Select(t => t.ToRecord()));
            }
            if (!SameOverrides(existing.Overrides, overrides))
            {
                existing.Reconfigure(overrides, TopicSettings.Resolve(overrides, _layers.Current, out _));
                foreach (Partition partition in existing.Partitions)
                {
                    partition.OpenedLog?.UpdateConfig(existing.Config.Log);
                }
                _store!.Save(_snapshot.ByName.Values.Select(t => t.ToRecord()));
            }
            return existing;
        }
    }

    /// <summary>
    /// Cluster mode: this broker no longer hosts <paramref name="partition"/> (reassigned away, or never did): its log,
    /// if it has one, is closed and its directory deleted. A later assignment back creates a new, empty log.
    /// </summary>
    public Task DropReplicaLog(Partition partition)
    {
        if (partition.OpenedLog is null)
        {
            return Task.CompletedTask;
        }
        partition.DetachLog();
        _log.LogInformation("Deleting the local log of {Topic}-{Partition}: this broker does not host it", partition.Topic.Name, partition.Index);
        return _logs!.DeleteLog(new TopicPartition(partition.Topic.Name, partition.Index));
    }

    private static bool SameOverrides(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
        => a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out string? v) && v == kv.Value);
}
