using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// ElectLeaders (key 43, KIP-183/KIP-460), v0-2: PREFERRED (0) hands each listed partition to its preferred
/// replica when that one is live and in the ISR (PREFERRED_LEADER_NOT_AVAILABLE otherwise, ELECTION_NOT_NEEDED
/// when it leads already); UNCLEAN (1) elects a leader for partitions without a live one, from the ISR if a
/// member is live, else any live replica (ELIGIBLE_LEADERS_NOT_AVAILABLE when none; ELECTION_NOT_NEEDED when a
/// leader is live). A null topic list means every partition (those not needing an election are left out of the
/// answer, as Kafka does). Needs ALTER on the cluster. In cluster mode the active controller executes it (handed
/// over through the metadata store by <see cref="Replication.ControllerRequestQueue"/>); a single node is the only
/// replica of everything, so every election there is ELECTION_NOT_NEEDED.
/// </summary>
internal sealed class ElectLeadersHandler : ApiHandler<ElectLeadersRequest, ElectLeadersResponse>
{
    private readonly KafkaBroker _broker;

    public ElectLeadersHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.ElectLeaders;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override async ValueTask<ElectLeadersResponse?> HandleAsync(RequestContext context, ElectLeadersRequest request)
    {
        if (!_broker.Authorizer.AllowsCluster(context, AclOperation.Alter))
        {
            return Failed(request, context.ApiVersion, ErrorCode.ClusterAuthorizationFailed, "ElectLeaders needs ALTER on the cluster.");
        }
        if (_broker.Replication is not { } replication)
        {
            return SingleNode(request);
        }
        try
        {
            TimeSpan timeout = TimeSpan.FromMilliseconds(Math.Clamp(request.TimeoutMs, 1000, 120_000));
            return await replication.ControllerRequests.SubmitAsync<ElectLeadersResponse>(ApiKey.ElectLeaders, context.ApiVersion, request, timeout, context.Aborted)
                .ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            return Failed(request, context.ApiVersion, ErrorCode.RequestTimedOut, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failed(request, context.ApiVersion, ErrorCode.KafkaStorageError, "The cluster metadata store is unavailable: " + e.Message);
        }
    }

    private ElectLeadersResponse SingleNode(ElectLeadersRequest request)
    {
        var response = new ElectLeadersResponse();
        foreach (var topic in request.TopicPartitions ?? [])
        {
            var result = new ElectLeadersResponse.ReplicaElectionResult { Topic = topic.Topic };
            foreach (int p in topic.Partitions.Distinct())
            {
                bool exists = _broker.Topics.Find(topic.Topic)?.GetPartition(p) is not null;
                result.PartitionResult.Add(new ElectLeadersResponse.PartitionResult
                {
                    PartitionId = p,
                    ErrorCode = (short)(exists ? ErrorCode.ElectionNotNeeded : ErrorCode.UnknownTopicOrPartition),
                    ErrorMessage = exists ? "Leader election not needed: this single node is the only replica." : $"Partition {topic.Topic}-{p} does not exist.",
                });
            }
            response.ReplicaElectionResults.Add(result);
        }
        return response;
    }

    /// <summary>Every listed partition (and, v1+, the top level) answers <paramref name="error"/>.</summary>
    private static ElectLeadersResponse Failed(ElectLeadersRequest request, short version, ErrorCode error, string message)
    {
        var response = new ElectLeadersResponse { ErrorCode = version >= 1 ? (short)error : (short)0 };
        foreach (var topic in request.TopicPartitions ?? [])
        {
            var result = new ElectLeadersResponse.ReplicaElectionResult { Topic = topic.Topic };
            foreach (int p in topic.Partitions.Distinct())
            {
                result.PartitionResult.Add(new ElectLeadersResponse.PartitionResult { PartitionId = p, ErrorCode = (short)error, ErrorMessage = message });
            }
            response.ReplicaElectionResults.Add(result);
        }
        return response;
    }
}
