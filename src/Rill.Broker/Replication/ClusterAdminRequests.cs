using Rill.Broker.Handlers;
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
            return CreatedTopicResults.Error(topic.Name, ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set; use one or the other.");
        }
        var assignments = topic.Assignments.Select(a => (a.PartitionIndex, (IReadOnlyList<int>)a.BrokerIds)).ToList();
        if (assignments.Select(a => a.PartitionIndex).Distinct().Count() != assignments.Count)
        {
            return CreatedTopicResults.Error(topic.Name, ErrorCode.InvalidReplicaAssignment, "A partition is assigned twice.");
        }
        var configs = topic.Configs.Select(c => new KeyValuePair<string, string?>(c.Name, c.Value)).ToList();
        ClusterCreateResult result = await admin.CreateAsync(topic.Name, topic.NumPartitions, topic.ReplicationFactor, assignments, configs, validateOnly)
            .ConfigureAwait(false);
        if (result.Error != ErrorCode.None)
        {
            return CreatedTopicResults.Error(topic.Name, result.Error, result.Message);
        }
        return CreatedTopicResults.Created(topic.Name, result.TopicId, result.Partitions, result.ReplicationFactor, result.Overrides,
            broker.ConfigLayers, version);
    }
}
