using Rill.Broker.Security.Authorization;
using System.Runtime.InteropServices;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Broker.Handlers;

/// <summary>
/// Produce (key 0), v0-12. v0 stays advertised because librdkafka enables compression only when
/// it is; v0-2 carry magic 0/1 message sets, which are converted to v2 batches on the way in.
/// acks 0 (no response; an error closes the connection), 1 and -1 (all; on one node the leader is the whole ISR, so
/// min.insync.replicas above 1 answers NOT_ENOUGH_REPLICAS). Offsets are assigned by patching the
/// stored batch; idempotent batches are checked against the producer's sequence state, and a
/// duplicate is answered with its original offsets. Transactional batches (KIP-890 part 1): each
/// partition is first verified with the transaction coordinator (ProduceHandler.Transactions.cs);
/// one not in the producer's ongoing transaction answers INVALID_TXN_STATE, an old epoch PRODUCER_FENCED.
/// v12 with transaction.version 2 (KIP-890 part 2): the leader adds the partitions to the producer's
/// transaction itself (starting it) instead of verifying them.
/// Per-record errors (KIP-467, v8+): when some records make the batch invalid (no key on a compacted
/// topic: INVALID_RECORD; a timestamp outside message.timestamp.before/after.max.ms: INVALID_TIMESTAMP),
/// nothing of the partition's data is appended and RecordErrors names each bad record's index with
/// a message, ErrorMessage summarises them; older versions get the same error code without the list.
/// </summary>
internal sealed partial class ProduceHandler : ApiHandler<ProduceRequest, ProduceResponse>
{
    private readonly KafkaBroker _broker;

    public ProduceHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.Produce;
    public override short MinVersion => 0;
    public override short MaxVersion => 12;

    protected override ValueTask<ProduceResponse?> HandleAsync(RequestContext context, ProduceRequest request)
        => _broker.Replication is { } replication && Replication.LeadershipCatchUp.TopicsToCheck(_broker.Topics, request) is { } topics
            ? CatchUpThenHandleAsync(context, request, replication, topics)
            : HandleCurrent(context, request);

    private ValueTask<ProduceResponse?> HandleCurrent(RequestContext context, ProduceRequest request)
        => request.TransactionalId is not null
            && (_broker.Config.TransactionPartitionVerificationEnable || AddsPartitionsImplicitly(context))
            ? HandleTransactionalAsync(context, request)
            : Handle(context, request, null);

    private ValueTask<ProduceResponse?> Handle(RequestContext context, ProduceRequest request,
        Dictionary<(string Topic, int Partition), ErrorCode>? unverified)
    {
        short acks = request.Acks;
        var response = new ProduceResponse();
        bool validAcks = acks is 0 or 1 or -1;
        List<(ProduceResponse.PartitionProduceResponse, Task<ErrorCode>)>? awaitingIsr = null;
        bool transactional = request.TransactionalId is not null;
        bool transactionAllowed = !transactional
            || _broker.Authorizer.Allows(context, AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId!);

        foreach (var topicData in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topicData.Name };
            response.Responses.Add(topicResponse);
            bool topicAllowed = _broker.Authorizer.Allows(context, AclOperation.Write, AclResourceType.Topic, topicData.Name);
            Topic? topic = _broker.Topics.Find(topicData.Name);
            foreach (var partitionData in topicData.PartitionData)
            {
                ErrorCode error;
                string? message = null;
                PartitionAppendResult result = default;
                Partition? partition = topic?.GetPartition(partitionData.Index);
                int leaderEpoch = partition?.Replica?.LeaderEpoch ?? -1; // read before the leadership check: acks=all fails if it changed
                if (!validAcks)
                {
                    error = ErrorCode.InvalidRequiredAcks;
                }
                else if (!transactionAllowed)
                {
                    error = ErrorCode.TransactionalIdAuthorizationFailed;
                }
                else if (!topicAllowed)
                {
                    error = ErrorCode.TopicAuthorizationFailed;
                }
                else if (partition is null)
                {
                    error = ErrorCode.UnknownTopicOrPartition;
                }
                else if (TopicName.IsInternal(partition.Topic.Name))
                {
                    error = ErrorCode.InvalidTopicException;
                    message = $"Cannot append to internal topic {partition.Topic.Name}.";
                }
                else if (unverified is not null && unverified.TryGetValue((topicData.Name, partitionData.Index), out ErrorCode txnError))
                {
                    error = txnError;
                    message = txnError switch
                    {
                        ErrorCode.InvalidTxnState => "The partition is not part of the producer's ongoing transaction (AddPartitionsToTxn first).",
                        ErrorCode.NotEnoughReplicas => "Unable to add the partition to the transaction yet (the coordinator is busy, e.g. completing the previous transaction); retry.",
                        _ => $"The transaction coordinator refused the write to this partition ({txnError}).",
                    };
                }
                else if (partition.Replica is { } replica && Replication.ReplicaProduce.Reject(replica, partition, acks, out error, out message))
                {
                }
                else if (Replication.ClusterReadiness.AwaitsClusterState(_broker, partition))
                {
                    error = ErrorCode.NotLeaderOrFollower;
                    message = "This broker has not joined the cluster yet: it does not lead this partition.";
                }
                else if (acks == -1 && partition.Replica is null && partition.Topic.Config.MinInsyncReplicas > 1)
                {
                    error = ErrorCode.NotEnoughReplicas;
                    message = $"min.insync.replicas is {partition.Topic.Config.MinInsyncReplicas} but this single node is the only replica.";
                }
                else if (partitionData.Records is not { Length: > 0 } records)
                {
                    error = ErrorCode.InvalidRecord;
                    message = "The produce request carries no records.";
                }
                else
                {
                    // The frame buffer belongs to this request; batches are patched in place.
                    Memory<byte> writable = MemoryMarshal.AsMemory(records);
                    result = partition.Append(writable, context.ApiVersion);
                    error = result.Error;
                    message = result.ErrorMessage;
                }

                var answer = new ProduceResponse.PartitionProduceResponse
                {
                    Index = partitionData.Index,
                    ErrorCode = (short)error,
                    BaseOffset = error == ErrorCode.None ? result.BaseOffset : -1,
                    LogAppendTimeMs = error == ErrorCode.None ? result.LogAppendTime : -1,
                    LogStartOffset = partition?.LogStartOffset ?? -1,
                    ErrorMessage = message,
                    RecordErrors = ToRecordErrors(result.RecordErrors),
                };
                topicResponse.PartitionResponses.Add(answer);
                if (acks == -1 && error == ErrorCode.None && partition!.Replica is { } isr)
                {
                    (awaitingIsr ??= []).Add((answer, isr.WaitForHighWatermarkAsync(partition.Log.LogEndOffset - 1, leaderEpoch)));
                }
            }
        }
        if (awaitingIsr is not null)
        {
            return new(Replication.ReplicaProduce.WaitForIsrAsync(response, awaitingIsr, request.TimeoutMs));
        }
        if (acks == 0)
        {
            // No response to carry an error: like Kafka, close the connection so the client
            // notices, refreshes its metadata and reconnects.
            context.CloseConnection = response.Responses.Any(t => t.PartitionResponses.Any(p => p.ErrorCode != 0));
            return ValueTask.FromResult<ProduceResponse?>(null);
        }
        return ValueTask.FromResult<ProduceResponse?>(response);
    }

    private static List<ProduceResponse.BatchIndexAndErrorMessage> ToRecordErrors(IReadOnlyList<RecordError>? errors)
    {
        if (errors is null)
        {
            return [];
        }
        var result = new List<ProduceResponse.BatchIndexAndErrorMessage>(errors.Count);
        foreach (RecordError error in errors)
        {
            result.Add(new ProduceResponse.BatchIndexAndErrorMessage { BatchIndex = error.BatchIndex, BatchIndexErrorMessage = error.Message });
        }
        return result;
    }
}
