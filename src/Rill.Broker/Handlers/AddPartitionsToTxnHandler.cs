using Rill.Broker.Security.Authorization;
using Rill.Coordination.Transactions;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// AddPartitionsToTxn (key 24), v0-5. v0-3 (clients): adds the partitions to the producer's
/// transaction, starting it; a partition of an unknown topic answers UNKNOWN_TOPIC_OR_PARTITION
/// and then nothing is added (the others: OPERATION_NOT_ATTEMPTED), as in Kafka. v4+ (KIP-890,
/// broker to coordinator) batches several transactions; VerifyOnly asks, per partition, whether
/// it is in the producer's ongoing transaction (NONE) or not (INVALID_TXN_STATE) without adding; without
/// VerifyOnly it adds them for a transactions-v2 producer (KIP-890 part 2, as a partition leader does for
/// Produce v12). v5 only adds the TRANSACTION_ABORTABLE error, which Rill does not produce.
/// </summary>
internal sealed class AddPartitionsToTxnHandler : ApiHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>
{
    private readonly KafkaBroker _broker;

    public AddPartitionsToTxnHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.AddPartitionsToTxn;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override async ValueTask<AddPartitionsToTxnResponse?> HandleAsync(RequestContext context, AddPartitionsToTxnRequest request)
    {
        var response = new AddPartitionsToTxnResponse();
        if (context.ApiVersion < 4)
        {
            var topics = request.V3AndBelowTopics.Select(t => (t.Name, (IReadOnlyList<int>)t.Partitions)).ToList();
            var results = await AddAsync(context, request.V3AndBelowTransactionalId, request.V3AndBelowProducerId,
                request.V3AndBelowProducerEpoch, verifyOnly: false, topics).ConfigureAwait(false);
            foreach (var topic in results.GroupBy(r => r.Partition.Topic, StringComparer.Ordinal))
            {
                response.ResultsByTopicV3AndBelow.Add(new AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResultV3
                {
                    Name = topic.Key,
                    ResultsByPartition = topic.Select(r => new AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResultV3
                    {
                        PartitionIndex = r.Partition.Partition,
                        PartitionErrorCode = (short)r.Error,
                    }).ToList(),
                });
            }
            return response;
        }
        foreach (var txn in request.Transactions)
        {
            var topics = txn.Topics.Select(t => (t.Name, (IReadOnlyList<int>)t.Partitions)).ToList();
            var results = await AddAsync(context, txn.TransactionalId, txn.ProducerId, txn.ProducerEpoch, txn.VerifyOnly, topics).ConfigureAwait(false);
            response.ResultsByTransaction.Add(new AddPartitionsToTxnResponse.AddPartitionsToTxnResult
            {
                TransactionalId = txn.TransactionalId,
                TopicResults = results.GroupBy(r => r.Partition.Topic, StringComparer.Ordinal)
                    .Select(topic => new AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult
                    {
                        Name = topic.Key,
                        ResultsByPartition = topic.Select(r => new AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult
                        {
                            PartitionIndex = r.Partition.Partition,
                            PartitionErrorCode = (short)r.Error,
                        }).ToList(),
                    }).ToList(),
            });
        }
        return response;
    }

    private async Task<List<(TxnPartition Partition, ErrorCode Error)>> AddAsync(RequestContext context, string transactionalId, long producerId,
        short producerEpoch, bool verifyOnly, List<(string Name, IReadOnlyList<int> Partitions)> topics)
    {
        var partitions = topics.SelectMany(t => t.Partitions.Select(p => new TxnPartition(t.Name, p))).Distinct().ToList();
        var results = new List<(TxnPartition, ErrorCode)>(partitions.Count);
        // Kafka: a broker's verification (verifyOnly) needs CLUSTER_ACTION; a client needs WRITE on the transactional id and on each topic.
        ErrorCode refused = verifyOnly
            ? _broker.Authorizer.AllowsCluster(context, AclOperation.ClusterAction) ? ErrorCode.None : ErrorCode.ClusterAuthorizationFailed
            : _broker.Authorizer.Allows(context, AclOperation.Write, AclResourceType.TransactionalId, transactionalId) ? ErrorCode.None
            : ErrorCode.TransactionalIdAuthorizationFailed;
        if (refused != ErrorCode.None)
        {
            results.AddRange(partitions.Select(p => (p, refused)));
            return results;
        }
        var deniedTopics = verifyOnly ? [] : partitions.Select(p => p.Topic).Distinct()
            .Where(t => !_broker.Authorizer.Allows(context, AclOperation.Write, AclResourceType.Topic, t)).ToHashSet(StringComparer.Ordinal);
        if (deniedTopics.Count > 0)
        {
            results.AddRange(partitions.Select(p => (p, deniedTopics.Contains(p.Topic) ? ErrorCode.TopicAuthorizationFailed : ErrorCode.OperationNotAttempted)));
            return results;
        }
        TransactionCoordinator coordinator = _broker.Transactions.Coordinator;
        if (verifyOnly)
        {
            foreach (TxnPartition partition in partitions)
            {
                results.Add((partition, await coordinator.VerifyPartitionAsync(transactionalId, producerId, producerEpoch, partition).ConfigureAwait(false)));
            }
            return results;
        }
        var unknown = partitions.Where(p => _broker.Topics.Find(p.Topic)?.GetPartition(p.Partition) is null).ToHashSet();
        if (unknown.Count > 0)
        {
            results.AddRange(partitions.Select(p => (p, unknown.Contains(p) ? ErrorCode.UnknownTopicOrPartition : ErrorCode.OperationNotAttempted)));
            return results;
        }
        // v4+ without VerifyOnly is a partition leader adding for a transactions-v2 producer (KIP-890 part 2).
        short clientTransactionVersion = context.ApiVersion >= 4 && _broker.Transactions.Feature.V2Enabled
            ? TransactionCoordinator.TransactionVersion2 : (short)0;
        ErrorCode error = await coordinator.AddPartitionsAsync(transactionalId, producerId, producerEpoch, partitions,
            clientTransactionVersion).ConfigureAwait(false);
        results.AddRange(partitions.Select(p => (p, error)));
        return results;
    }
}
