using Rill.Broker.Admin;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication;

/// <summary>
/// CreateTopics, DeleteTopics and CreatePartitions requests in cluster mode: the handlers keep their request
/// checks (duplicates, versions) and hand each topic here, which decides it in the metadata store.
/// </summary>
internal static class ClusterAdminRequests
{
    public static async Task<CreateTopicsResponse.CreatableTopicResult> CreateAsync(KafkaBroker broker, ClusterTopicAdmin admin,
        CreateTopicsRequest.CreatableTopic topic, bool validateOnly, short version)
    {
        if (topic.Assignments.Count > 0 && (topic.NumPartitions != -1 || topic.ReplicationFactor != -1))
        {
            return Error(topic.Name, ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set; use one or the other.");
        }
        var assignments = topic.Assignments.Select(a => (a.PartitionIndex, (IReadOnlyList<int>)a.BrokerIds)).ToList();
        if (assignments.Select(a => a.PartitionIndex).Distinct().Count() != assignments.Count)
        {
            return Error(topic.Name, ErrorCode.InvalidReplicaAssignment, "A partition is assigned twice.");
        }
        var configs = topic.Configs.Select(c => new KeyValuePair<string, string?>(c.Name, c.Value)).ToList();
        ClusterCreateResult result = await admin.CreateAsync(topic.Name, topic.NumPartitions, topic.ReplicationFactor, assignments, configs, validateOnly)
            .ConfigureAwait(false);
        if (result.Error != ErrorCode.None)
        {
            return Error(topic.Name, result.Error, result.Message);
        }
        var created = new CreateTopicsResponse.CreatableTopicResult
        {
            Name = topic.Name,
            TopicId = result.TopicId,
            NumPartitions = result.Partitions,
            ReplicationFactor = result.ReplicationFactor,
            Configs = [],
        };
        if (version >= 5)
        {
            foreach (DescribedConfig entry in ConfigDescriber.Topic(result.Overrides, broker.ConfigLayers))
            {
                created.Configs!.Add(new CreateTopicsResponse.CreatableTopicConfigs
                {
                    Name = entry.Name,
                    Value = entry.Value,
                    ReadOnly = entry.ReadOnly,
                    ConfigSource = (sbyte)entry.Source,
                    IsSensitive = entry.IsSensitive,
                });
            }
        }
        return created;
    }

    private static CreateTopicsResponse.CreatableTopicResult Error(string name, ErrorCode error, string? message) => new()
    {
        Name = name,
        ErrorCode = (short)error,
        ErrorMessage = message,
        NumPartitions = -1,
        ReplicationFactor = -1,
        Configs = null,
    };
}
