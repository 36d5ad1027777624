using Rill.Broker.Security.Authorization;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// Metadata (key 3), v0-12. Lists this node as the only broker and the leader of every partition.
/// Unknown topics are created when auto.create.topics.enable is on and the request allows it
/// (always for v0-3, AllowAutoTopicCreation from v4). v0's empty topic list means "all topics";
/// from v1 that is a null list. Topic ids from v10 (lookup by id answers UNKNOWN_TOPIC_ID).
/// Authorization: topics the principal may not DESCRIBE are left out of an all-topics answer and
/// answered TOPIC_AUTHORIZATION_FAILED when named; auto-creating a topic needs CREATE on the cluster
/// or on the topic (TOPIC_AUTHORIZATION_FAILED otherwise). Authorized operations (v8+, when asked)
/// are the principal's allowed operations on each topic and (v8-10) on the cluster.
/// </summary>
internal sealed class MetadataHandler : ApiHandler<MetadataRequest, MetadataResponse>
{
    private const int OperationsNotRequested = int.MinValue;

    private readonly KafkaBroker _broker;

    public MetadataHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.Metadata;
    public override short MinVersion => 0;
    public override short MaxVersion => 12;

    protected override ValueTask<MetadataResponse?> HandleAsync(RequestContext context, MetadataRequest request)
    {
        short version = context.ApiVersion;
        ClusterView cluster = _broker.Cluster;
        var response = new MetadataResponse
        {
            ClusterId = cluster.ClusterId,
            ControllerId = cluster.ControllerId,
        };
        foreach (var (id, host, port, rack) in cluster.BrokersFor(context.Session?.Listener.Name))
        {
            response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = id, Host = host, Port = port, Rack = rack });
        }

        bool includeOperations = version >= 8 && request.IncludeTopicAuthorizedOperations;
        if (version is >= 8 and <= 10 && request.IncludeClusterAuthorizedOperations)
        {
            response.ClusterAuthorizedOperations = _broker.Authorizer.AllowsCluster(context, AclOperation.Describe, logIfDenied: false)
                ? _broker.Authorizer.AuthorizedOperations(context, AclResourceType.Cluster, AclNames.ClusterName)
                : 0;
        }
        bool allTopics = request.Topics is null || (version == 0 && request.Topics.Count == 0);
        if (allTopics)
        {
            foreach (Topic topic in _broker.Topics.All)
            {
                if (_broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Topic, topic.Name, logIfDenied: false))
                {
                    response.Topics.Add(Describe(context, topic, includeOperations));
                }
            }
            return ValueTask.FromResult<MetadataResponse?>(response);
        }

        bool allowAutoCreate = (version < 4 || request.AllowAutoTopicCreation) && _broker.Config.AutoCreateTopicsEnable;
        foreach (MetadataRequest.MetadataRequestTopic requested in request.Topics!)
        {
            response.Topics.Add(Resolve(context, requested, allowAutoCreate, includeOperations));
        }
        return ValueTask.FromResult<MetadataResponse?>(response);
    }

    private MetadataResponse.MetadataResponseTopic Resolve(RequestContext context, MetadataRequest.MetadataRequestTopic requested,
        bool allowAutoCreate, bool includeOperations)
    {
        if (requested.Name is null)
        {
            Topic? byId = _broker.Topics.Find(requested.TopicId);
            if (byId is not null && !_broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Topic, byId.Name))
            {
                return new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.TopicAuthorizationFailed, Name = null, TopicId = requested.TopicId };
            }
            return byId is not null
                ? Describe(context, byId, includeOperations)
                : new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.UnknownTopicId, Name = null, TopicId = requested.TopicId };
        }

        string name = requested.Name;
        if (!_broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Topic, name))
        {
            return new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.TopicAuthorizationFailed, Name = name };
        }
        Topic? topic = _broker.Topics.Find(name);
        if (topic is not null)
        {
            return Describe(context, topic, includeOperations);
        }
        if (TopicName.Validate(name) is not null)
        {
            return new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.InvalidTopicException, Name = name };
        }
        if (allowAutoCreate && !TopicName.IsInternal(name)
            && !_broker.Authorizer.AllowsCluster(context, AclOperation.Create, logIfDenied: false)
            && !_broker.Authorizer.Allows(context, AclOperation.Create, AclResourceType.Topic, name))
        {
            return new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.TopicAuthorizationFailed, Name = name };
        }
        if (allowAutoCreate && !TopicName.IsInternal(name))
        {
            TopicCreateResult created = _broker.Topics.Create(name, -1, -1, [], validateOnly: false);
            if (created.Topic is not null)
            {
                return Describe(context, created.Topic, includeOperations);
            }
            if (created.Error == ErrorCode.TopicAlreadyExists && _broker.Topics.Find(name) is { } raced)
            {
                return Describe(context, raced, includeOperations);
            }
            return new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)created.Error, Name = name };
        }
        return new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.UnknownTopicOrPartition, Name = name };
    }

    private MetadataResponse.MetadataResponseTopic Describe(RequestContext context, Topic topic, bool includeOperations)
    {
        int node = _broker.Cluster.NodeId;
        var result = new MetadataResponse.MetadataResponseTopic
        {
            ErrorCode = 0,
            Name = topic.Name,
            TopicId = topic.Id,
            IsInternal = TopicName.IsInternal(topic.Name),
            TopicAuthorizedOperations = includeOperations
                ? _broker.Authorizer.AuthorizedOperations(context, AclResourceType.Topic, topic.Name)
                : OperationsNotRequested,
        };
        for (int i = 0; i < topic.Partitions.Length; i++)
        {
            result.Partitions.Add(new MetadataResponse.MetadataResponsePartition
            {
                ErrorCode = 0,
                PartitionIndex = i,
                LeaderId = node,
                LeaderEpoch = 0,
                ReplicaNodes = [node],
                IsrNodes = [node],
                OfflineReplicas = [],
            });
        }
        return result;
    }
}
