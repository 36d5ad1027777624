using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// CreatePartitions (key 37), v0-3. Raises a topic's partition count: lower or equal counts are
/// INVALID_PARTITIONS; assignments, when given, must list one replica set per new partition, each
/// [this node] (INVALID_REPLICA_ASSIGNMENT otherwise). ValidateOnly checks and changes nothing. New
/// partitions are persisted and visible to Metadata, Produce and Fetch at once. A topic named twice
/// is INVALID_REQUEST; the internal topics keep their partition count (INVALID_REQUEST).
/// </summary>
internal sealed class CreatePartitionsHandler : ApiHandler<CreatePartitionsRequest, CreatePartitionsResponse>
{
    private readonly KafkaBroker _broker;

    public CreatePartitionsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.CreatePartitions;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override ValueTask<CreatePartitionsResponse?> HandleAsync(RequestContext context, CreatePartitionsRequest request)
    {
        var response = new CreatePartitionsResponse();
        var counts = request.Topics.CountBy(t => t.Name).ToDictionary(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            (ErrorCode error, string? message) = counts[topic.Name] > 1
                ? (ErrorCode.InvalidRequest, $"Topic '{topic.Name}' appears more than once in the request.")
                : !_broker.Authorizer.Allows(context, AclOperation.Alter, AclResourceType.Topic, topic.Name)
                    ? (ErrorCode.TopicAuthorizationFailed, "Adding partitions needs ALTER on the topic.")
                : _broker.Topics.AddPartitions(topic.Name, topic.Count,
                    topic.Assignments?.Select(a => (IReadOnlyList<int>)a.BrokerIds).ToList(), request.ValidateOnly);
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult
            {
                Name = topic.Name,
                ErrorCode = (short)error,
                ErrorMessage = message,
            });
        }
        return ValueTask.FromResult<CreatePartitionsResponse?>(response);
    }
}
