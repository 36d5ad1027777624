using Rill.Broker.Security.Authorization;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// DeleteTopics (key 20), v0-6. Topics by name (v0-5 TopicNames, v6 Topics with name or id).
/// Deleting removes the topic at once and its partition directories in the background, as
/// Kafka does. Internal topics cannot be deleted; delete.topic.enable=false answers
/// TOPIC_DELETION_DISABLED.
/// </summary>
internal sealed class DeleteTopicsHandler : ApiHandler<DeleteTopicsRequest, DeleteTopicsResponse>
{
    private readonly KafkaBroker _broker;

    public DeleteTopicsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.DeleteTopics;
    public override short MinVersion => 0;
    public override short MaxVersion => 6;

    protected override ValueTask<DeleteTopicsResponse?> HandleAsync(RequestContext context, DeleteTopicsRequest request)
    {
        var response = new DeleteTopicsResponse();
        if (context.ApiVersion < 6)
        {
            foreach (string name in request.TopicNames)
            {
                response.Responses.Add(Delete(context, name, Guid.Empty));
            }
        }
        else
        {
            foreach (var state in request.Topics)
            {
                response.Responses.Add(Delete(context, state.Name, state.TopicId));
            }
        }
        return ValueTask.FromResult<DeleteTopicsResponse?>(response);
    }

    private DeleteTopicsResponse.DeletableTopicResult Delete(RequestContext context, string? name, Guid topicId)
    {
        if (name is not null && !_broker.Authorizer.Allows(context, AclOperation.Delete, AclResourceType.Topic, name))
        {
            return new DeleteTopicsResponse.DeletableTopicResult { Name = name, TopicId = topicId, ErrorCode = (short)ErrorCode.TopicAuthorizationFailed };
        }
        Topic? topic = name is not null ? _broker.Topics.Find(name) : _broker.Topics.Find(topicId);
        if (topic is not null && name is null && !_broker.Authorizer.Allows(context, AclOperation.Delete, AclResourceType.Topic, topic.Name))
        {
            // By id: a principal that may not even DESCRIBE the topic learns nothing about it.
            bool describe = _broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Topic, topic.Name, logIfDenied: false);
            return new DeleteTopicsResponse.DeletableTopicResult
            {
                Name = describe ? topic.Name : null,
                TopicId = topicId,
                ErrorCode = (short)(describe ? ErrorCode.TopicAuthorizationFailed : ErrorCode.UnknownTopicId),
            };
        }
        if (topic is null)
        {
            return new DeleteTopicsResponse.DeletableTopicResult
            {
                Name = name,
                TopicId = topicId,
                ErrorCode = (short)(name is null ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition),
            };
        }
        if (!_broker.Config.DeleteTopicEnable)
        {
            return Result(topic, ErrorCode.TopicDeletionDisabled, "delete.topic.enable is false on this broker.");
        }
        if (TopicName.IsInternal(topic.Name))
        {
            return Result(topic, ErrorCode.InvalidTopicException, $"'{topic.Name}' is an internal topic and cannot be deleted.");
        }
        var (error, message) = _broker.Topics.Delete(topic.Name);
        return Result(topic, error, message);
    }

    private static DeleteTopicsResponse.DeletableTopicResult Result(Topic topic, ErrorCode error, string? message)
        => new() { Name = topic.Name, TopicId = topic.Id, ErrorCode = (short)error, ErrorMessage = message };
}
