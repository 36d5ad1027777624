using Rill.Broker.Admin;
using Rill.Broker.Config;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>The per-topic answers of CreateTopics, for single-node and cluster creation alike.</summary>
internal static class CreatedTopicResults
{
    /// <summary>A created (or validated) topic; v5+ lists its configs as DescribeConfigs would.</summary>
    public static CreateTopicsResponse.CreatableTopicResult Created(string name, Guid topicId, int partitions, short replicationFactor,
        IReadOnlyDictionary<string, string> overrides, BrokerConfigLayers layers, short version)
    {
        var created = new CreateTopicsResponse.CreatableTopicResult
        {
            Name = name,
            TopicId = topicId,
            NumPartitions = partitions,
            ReplicationFactor = replicationFactor,
            Configs = [],
        };
        if (version >= 5)
        {
            foreach (DescribedConfig entry in ConfigDescriber.Topic(overrides, layers))
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

    public static CreateTopicsResponse.CreatableTopicResult Error(string name, ErrorCode error, string? message) => new()
    {
        Name = name,
        ErrorCode = (short)error,
        ErrorMessage = message,
        NumPartitions = -1,
        ReplicationFactor = -1,
        Configs = null,
    };
}
