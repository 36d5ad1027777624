using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// AlterPartitionReassignments (key 45, KIP-455), v0: moves each listed partition to a new replica list (the
/// added replicas follow and catch up; once all are in the ISR the controller applies the new list and the
/// removed replicas drop their logs), or cancels the reassignment in progress (null replicas;
/// NO_REASSIGNMENT_IN_PROGRESS when there is none). INVALID_REPLICA_ASSIGNMENT for an empty list, a broker named
/// twice or an unregistered broker; UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist. Needs ALTER
/// on the cluster. In cluster mode the active controller executes it (see
/// <see cref="Replication.ControllerRequestQueue"/>); on a single node the only valid list is this node.
/// </summary>
internal sealed class AlterPartitionReassignmentsHandler : ApiHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>
{
    private readonly KafkaBroker _broker;

    public AlterPartitionReassignmentsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.AlterPartitionReassignments;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override async ValueTask<AlterPartitionReassignmentsResponse?> HandleAsync(RequestContext context, AlterPartitionReassignmentsRequest request)
    {
        if (!_broker.Authorizer.AllowsCluster(context, AclOperation.Alter))
        {
            return new AlterPartitionReassignmentsResponse
            {
                ErrorCode = (short)ErrorCode.ClusterAuthorizationFailed,
                ErrorMessage = "AlterPartitionReassignments needs ALTER on the cluster.",
            };
        }
        if (_broker.Replication is not { } replication)
        {
            return SingleNode(request);
        }
        try
        {
            TimeSpan timeout = TimeSpan.FromMilliseconds(Math.Clamp(request.TimeoutMs, 1000, 120_000));
            return await replication.ControllerRequests.SubmitAsync<AlterPartitionReassignmentsResponse>(ApiKey.AlterPartitionReassignments,
                context.ApiVersion, request, timeout, context.Aborted).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            return new AlterPartitionReassignmentsResponse { ErrorCode = (short)ErrorCode.RequestTimedOut, ErrorMessage = e.Message };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new AlterPartitionReassignmentsResponse
            {
                ErrorCode = (short)ErrorCode.KafkaStorageError,
                ErrorMessage = "The cluster metadata store is unavailable: " + e.Message,
            };
        }
    }

    private AlterPartitionReassignmentsResponse SingleNode(AlterPartitionReassignmentsRequest request)
    {
        int self = _broker.Config.NodeId;
        var response = new AlterPartitionReassignmentsResponse();
        foreach (var topic in request.Topics)
        {
            var result = new AlterPartitionReassignmentsResponse.ReassignableTopicResponse { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                (ErrorCode error, string? message) = _broker.Topics.Find(topic.Name)?.GetPartition(partition.PartitionIndex) is null
                        ? (ErrorCode.UnknownTopicOrPartition, $"Partition {topic.Name}-{partition.PartitionIndex} does not exist.")
                    : partition.Replicas is null ? (ErrorCode.NoReassignmentInProgress, "No reassignment is in progress.")
                    : partition.Replicas is [var only] && only == self ? (ErrorCode.None, null)
                    : (ErrorCode.InvalidReplicaAssignment, $"This single node ({self}) is the only broker: [{string.Join(",", partition.Replicas)}] is not possible.");
                result.Partitions.Add(new AlterPartitionReassignmentsResponse.ReassignablePartitionResponse
                {
                    PartitionIndex = partition.PartitionIndex, ErrorCode = (short)error, ErrorMessage = message,
                });
            }
            response.Responses.Add(result);
        }
        return response;
    }
}
