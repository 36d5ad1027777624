using Rill.Broker.Topics;
using Rill.Cluster.Topics;
using Rill.Protocol;

namespace Rill.Broker.Replication;

/// <summary>
/// AlterConfigs / IncrementalAlterConfigs on a topic in cluster mode: the new overrides are computed from the
/// store's copy (not this broker's), validated like the single node, and written with compare-and-swap on the
/// topic key; every broker applies them from its watch (<see cref="TopicManager.EnsureClusterTopic"/> reconfigures
/// the partition logs). The answer waits (bounded) until this broker has applied them, so a DescribeConfigs to
/// it right after sees the change.
/// </summary>
internal static class ClusterTopicConfigs
{
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(10);

    public static async Task<(ErrorCode Error, string? Message)> AlterAsync(ReplicaManager replicas, string name,
        Func<IReadOnlyDictionary<string, string>, (Dictionary<string, string>? Overrides, ErrorCode Error, string? Message)> update, bool validateOnly)
    {
        try
        {
            for (int attempt = 0; attempt < 5; attempt++)
            {
                VersionedTopic? current = await replicas.Registry.ReadAsync(name).ConfigureAwait(false);
                if (current is null)
                {
                    return (ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
                }
                var (overrides, error, message) = update(current.State.Configs);
                if (overrides is null)
                {
                    return (error, message);
                }
                TopicSettings.Resolve(overrides, replicas.Broker.ConfigLayers.Current, out string? configError);
                if (configError is not null)
                {
                    return (ErrorCode.InvalidConfig, configError);
                }
                if (validateOnly)
                {
                    return (ErrorCode.None, null);
                }
                if (await replicas.Registry.TryUpdateAsync(current.State with { Configs = overrides }, current.ModRevision).ConfigureAwait(false))
                {
                    await replicas.Registry.WaitAppliedAsync(_ => replicas.Broker.Topics.Find(name) is { } t && SameConfigs(t.Overrides, overrides), ApplyTimeout)
                        .ConfigureAwait(false);
                    return (ErrorCode.None, null);
                }
            }
            return (ErrorCode.ConcurrentTransactions, $"Topic '{name}' kept changing; retry.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (ErrorCode.KafkaStorageError, "The cluster metadata store is unavailable: " + e.Message);
        }
    }

    private static bool SameConfigs(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
        => a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out string? v) && v == kv.Value);
}
