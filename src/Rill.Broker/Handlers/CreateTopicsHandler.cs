using Rill.Broker.Security.Authorization;
using Rill.Broker.Admin;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// CreateTopics (key 19), v0-7. NumPartitions/ReplicationFactor -1 take the broker defaults
/// (v4+); a replication factor above 1 is INVALID_REPLICATION_FACTOR on a single node; manual
/// assignments must name this node. Configs are validated against Kafka's topic config names and
/// persisted. ValidateOnly (v1+) checks everything and creates nothing. From v5 the response
/// carries the resulting partition count, replication factor and configs; from v7 the topic id.
/// </summary>
internal sealed class CreateTopicsHandler : ApiHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    private readonly KafkaBroker _broker;

    public CreateTopicsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.CreateTopics;
    public override short MinVersion => 0;
    public override short MaxVersion => 7;

    protected override ValueTask<CreateTopicsResponse?> HandleAsync(RequestContext context, CreateTopicsRequest request)
        => _broker.Replication is null ? ValueTask.FromResult(Handle(context, request)) : new(HandleInClusterAsync(context, request));

    /// <summary>Cluster mode: each topic is decided in the metadata store (docs/dev/cluster.md).</summary>
    private async Task<CreateTopicsResponse?> HandleInClusterAsync(RequestContext context, CreateTopicsRequest request)
    {
        var response = new CreateTopicsResponse();
        var counts = request.Topics.CountBy(t => t.Name).ToDictionary(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        bool clusterCreate = _broker.Authorizer.AllowsCluster(context, AclOperation.Create, logIfDenied: false);
        foreach (var topic in request.Topics)
        {
            if (counts[topic.Name] > 1 && reported.Contains(topic.Name))
            {
                continue;
            }
            if (counts[topic.Name] == 1 && !clusterCreate && !_broker.Authorizer.Allows(context, AclOperation.Create, AclResourceType.Topic, topic.Name))
            {
                response.Topics.Add(CreatedTopicResults.Error(topic.Name, ErrorCode.TopicAuthorizationFailed, "Creating the topic needs CREATE on the cluster or the topic."));
                continue;
            }
            if (counts[topic.Name] > 1)
            {
                if (reported.Add(topic.Name))
                {
                    response.Topics.Add(CreatedTopicResults.Error(topic.Name, ErrorCode.InvalidRequest, $"Topic '{topic.Name}' appears more than once in the request."));
                }
                continue;
            }
            response.Topics.Add(await Replication.ClusterAdminRequests.CreateAsync(_broker, _broker.Replication!.Admin, topic, request.ValidateOnly,
                context.ApiVersion).ConfigureAwait(false));
        }
        return response;
    }

    private CreateTopicsResponse? Handle(RequestContext context, CreateTopicsRequest request)
    {
        var response = new CreateTopicsResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            if (!seen.Add(topic.Name))
            {
                duplicates.Add(topic.Name);
            }
        }

        bool clusterCreate = _broker.Authorizer.AllowsCluster(context, AclOperation.Create, logIfDenied: false);
        foreach (var topic in request.Topics)
        {
            if (duplicates.Contains(topic.Name))
            {
                if (duplicates.Remove(topic.Name))
                {
                    response.Topics.Add(CreatedTopicResults.Error(topic.Name, ErrorCode.InvalidRequest, $"Topic '{topic.Name}' appears more than once in the request."));
                }
                continue;
            }
            if (!clusterCreate && !_broker.Authorizer.Allows(context, AclOperation.Create, AclResourceType.Topic, topic.Name))
            {
                response.Topics.Add(CreatedTopicResults.Error(topic.Name, ErrorCode.TopicAuthorizationFailed, "Authorization failed: creating a topic needs CREATE on the cluster or the topic."));
                continue;
            }
            CreateTopicsResponse.CreatableTopicResult result = Create(topic, request.ValidateOnly, context.ApiVersion);
            if (result.ErrorCode == 0 && result.Configs is { Count: > 0 }
                && !_broker.Authorizer.Allows(context, AclOperation.DescribeConfigs, AclResourceType.Topic, topic.Name, logIfDenied: false))
            {
                // Created, but the principal may not see the topic's configs (Kafka: the configs are left out, flagged in the tagged field).
                result.Configs = [];
                result.TopicConfigErrorCode = (short)ErrorCode.TopicAuthorizationFailed;
            }
            response.Topics.Add(result);
        }
        return response;
    }

    private CreateTopicsResponse.CreatableTopicResult Create(CreateTopicsRequest.CreatableTopic topic, bool validateOnly, short version)
    {
        int partitions = topic.NumPartitions;
        short replicationFactor = topic.ReplicationFactor;
        if (topic.Assignments.Count > 0)
        {
            if (partitions != -1 || replicationFactor != -1)
            {
                return CreatedTopicResults.Error(topic.Name, ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set; use one or the other.");
            }
            int node = _broker.Cluster.NodeId;
            var indexes = new SortedSet<int>();
            foreach (var assignment in topic.Assignments)
            {
                if (assignment.BrokerIds.Count != 1 || assignment.BrokerIds[0] != node)
                {
                    return CreatedTopicResults.Error(topic.Name, ErrorCode.InvalidReplicaAssignment, $"Partition {assignment.PartitionIndex} must be assigned to broker {node}, the only broker.");
                }
                if (!indexes.Add(assignment.PartitionIndex))
                {
                    return CreatedTopicResults.Error(topic.Name, ErrorCode.InvalidReplicaAssignment, $"Partition {assignment.PartitionIndex} is assigned twice.");
                }
            }
            if (indexes.Min != 0 || indexes.Max != indexes.Count - 1)
            {
                return CreatedTopicResults.Error(topic.Name, ErrorCode.InvalidReplicaAssignment, "Partition indexes must be consecutive from 0.");
            }
            partitions = indexes.Count;
            replicationFactor = 1;
        }

        var configs = new List<KeyValuePair<string, string?>>(topic.Configs.Count);
        foreach (var config in topic.Configs)
        {
            configs.Add(new(config.Name, config.Value));
        }

        TopicCreateResult result = _broker.Topics.Create(topic.Name, partitions, replicationFactor, configs, validateOnly);
        if (result.Error != ErrorCode.None)
        {
            return CreatedTopicResults.Error(topic.Name, result.Error, result.Message);
        }

        return CreatedTopicResults.Created(topic.Name, result.TopicId, result.Partitions, 1, result.Overrides, _broker.ConfigLayers, version);
    }

}
