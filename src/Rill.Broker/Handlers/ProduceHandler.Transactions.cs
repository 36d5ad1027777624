using System.Buffers.Binary;
using Rill.Coordination.Transactions;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Broker.Handlers;

internal sealed partial class ProduceHandler
{
    /// <summary>
    /// KIP-890 part 1: before a transactional produce is appended, the leader asks the transaction
    /// coordinator whether each partition is in the producer's ongoing transaction (as Kafka's
    /// AddPartitionsToTxn VerifyOnly). The producer id/epoch are the first batch's. Partitions that
    /// fail get the coordinator's answer (INVALID_TXN_STATE, PRODUCER_FENCED, ...) and nothing of
    /// theirs is appended. Only transactional requests pay for this.
    /// </summary>
    private async ValueTask<ProduceResponse?> HandleTransactionalAsync(RequestContext context, ProduceRequest request)
    {
        string transactionalId = request.TransactionalId!;
        Dictionary<(string Topic, int Partition), ErrorCode> unverified = [];
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
                ErrorCode error = await _broker.Transactions.VerifyPartitionAsync(transactionalId, producerId, epoch,
                    new TxnPartition(topicData.Name, partitionData.Index)).ConfigureAwait(false);
                if (error != ErrorCode.None)
                {
                    unverified[(topicData.Name, partitionData.Index)] = error;
                }
            }
        }
        return await Handle(context, request, unverified).ConfigureAwait(false);
    }
}
