using System.Buffers.Binary;
using Rill.Broker.Security.Authorization;
using Rill.Coordination.Transactions;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Broker.Handlers;

internal sealed partial class ProduceHandler
{
    /// <summary>Produce v12 with transaction.version 2: the leader adds the partitions to the transaction (KIP-890 part 2).</summary>
    private bool AddsPartitionsImplicitly(RequestContext context) => context.ApiVersion >= 12 && _broker.Transactions.Feature.V2Enabled;

    /// <summary>
    /// Transactional produce. KIP-890 part 1 (v0-11, or v12 below transaction.version 2): before a transactional
    /// produce is appended, the leader asks the transaction coordinator whether each partition is in the producer's
    /// ongoing transaction (as Kafka's AddPartitionsToTxn VerifyOnly). KIP-890 part 2 (v12 with transaction.version
    /// 2): the leader adds the partitions to the producer's transaction instead, starting it (as Kafka's
    /// AddPartitionsToTxn with VerifyOnly false on the client's behalf); the coordinator's errors are translated as
    /// Kafka's leader does (PRODUCER_FENCED: INVALID_PRODUCER_EPOCH, so a late write of an ended transaction is
    /// fenced; a coordinator busy completing the previous transaction: NOT_ENOUGH_REPLICAS, which clients retry).
    /// The producer id/epoch are the first batch's. Partitions that fail get the error and nothing of theirs is
    /// appended. Only transactional requests pay for this.
    /// </summary>
    private async ValueTask<ProduceResponse?> HandleTransactionalAsync(RequestContext context, ProduceRequest request)
    {
        string transactionalId = request.TransactionalId!;
        bool implicitAdd = AddsPartitionsImplicitly(context);
        Dictionary<(string Topic, int Partition), ErrorCode> unverified = [];
        Dictionary<(long ProducerId, short Epoch), List<TxnPartition>>? toAdd = null;
        foreach (var topicData in request.TopicData)
        {
            foreach (var partitionData in topicData.PartitionData)
            {
                if (partitionData.Records is not { Length: >= RecordBatchLayout.HeaderSize } records)
                {
                    continue; // answered by the normal checks
                }
                ReadOnlySpan<byte> header = records.Span;
                if (header[RecordBatchLayout.Magic] < 2)
                {
                    unverified[(topicData.Name, partitionData.Index)] = ErrorCode.InvalidRecord;
                    continue;
                }
                long producerId = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.ProducerId..]);
                short epoch = BinaryPrimitives.ReadInt16BigEndian(header[RecordBatchLayout.ProducerEpoch..]);
                var partition = new TxnPartition(topicData.Name, partitionData.Index);
                if (implicitAdd)
                {
                    if (CanAdd(context, transactionalId, partition))
                    {
                        toAdd ??= [];
                        if (!toAdd.TryGetValue((producerId, epoch), out var list))
                        {
                            toAdd[(producerId, epoch)] = list = [];
                        }
                        list.Add(partition);
                    }
                    continue;
                }
                ErrorCode error = await _broker.Transactions.VerifyPartitionAsync(transactionalId, producerId, epoch, partition).ConfigureAwait(false);
                if (error != ErrorCode.None)
                {
                    unverified[(topicData.Name, partitionData.Index)] = error;
                }
            }
        }
        foreach (var ((producerId, epoch), partitions) in toAdd ?? [])
        {
            ErrorCode error = await _broker.Transactions.AddPartitionsV2Async(transactionalId, producerId, epoch, partitions).ConfigureAwait(false);
            if (error != ErrorCode.None)
            {
                foreach (TxnPartition partition in partitions)
                {
                    unverified[(partition.Topic, partition.Partition)] = ForProducer(error);
                }
            }
        }
        return await Handle(context, request, unverified).ConfigureAwait(false);
    }

    /// <summary>Only partitions the write may go to are added (the others get their error from the normal checks).</summary>
    private bool CanAdd(RequestContext context, string transactionalId, TxnPartition partition) =>
        _broker.Topics.Find(partition.Topic)?.GetPartition(partition.Partition) is not null
        && !Topics.TopicName.IsInternal(partition.Topic)
        && _broker.Authorizer.Allows(context, AclOperation.Write, AclResourceType.TransactionalId, transactionalId)
        && _broker.Authorizer.Allows(context, AclOperation.Write, AclResourceType.Topic, partition.Topic);

    /// <summary>A coordinator's answer as Kafka's partition leader hands it to the producer.</summary>
    private static ErrorCode ForProducer(ErrorCode error) => error switch
    {
        ErrorCode.ProducerFenced => ErrorCode.InvalidProducerEpoch,
        ErrorCode.ConcurrentTransactions or ErrorCode.CoordinatorLoadInProgress or ErrorCode.CoordinatorNotAvailable
            or ErrorCode.NotCoordinator => ErrorCode.NotEnoughReplicas,
        _ => error,
    };
}
