using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// ListPartitionReassignments (key 46, KIP-455), v0: the reassignments in progress (null topics: all), each with
/// its full replica list and the replicas being added and removed, read from the metadata store by whichever
/// broker is asked. Partitions not being reassigned (and topics that do not exist) are left out. Needs DESCRIBE on
/// the cluster. A single node never has one in progress.
/// </summary>
internal sealed class ListPartitionReassignmentsHandler : ApiHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>
{
    private readonly KafkaBroker _broker;

    public ListPartitionReassignmentsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.ListPartitionReassignments;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override async ValueTask<ListPartitionReassignmentsResponse?> HandleAsync(RequestContext context, ListPartitionReassignmentsRequest request)
    {
        if (!_broker.Authorizer.AllowsCluster(context, AclOperation.Describe))
        {
            return new ListPartitionReassignmentsResponse
            {
                ErrorCode = (short)ErrorCode.ClusterAuthorizationFailed,
                ErrorMessage = "ListPartitionReassignments needs DESCRIBE on the cluster.",
            };
        }
        if (_broker.Replication is not { } replication)
        {
            return new ListPartitionReassignmentsResponse();
        }
        try
        {
            return await replication.Operations.ListReassignmentsAsync(request, context.Aborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ListPartitionReassignmentsResponse
            {
                ErrorCode = (short)ErrorCode.KafkaStorageError,
                ErrorMessage = "The cluster metadata store is unavailable: " + e.Message,
            };
        }
    }
}
