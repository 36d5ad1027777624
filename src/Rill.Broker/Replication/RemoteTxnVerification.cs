using System.Net.Sockets;
using Rill.Broker.Clustering;
using Rill.Coordination.Transactions;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication;

/// <summary>
/// KIP-890 part 1 in a cluster: a partition leader that is not the transaction coordinator of the producer's
/// transactional id asks the coordinator's broker with AddPartitionsToTxn v4 VerifyOnly, as Kafka's leaders do.
/// Only the first write of a partition in a transaction pays for it: once the partition holds the producer's
/// open transaction at that epoch, it is known to be part of it. A coordinator that cannot answer (moving,
/// loading, unreachable) makes the write fail with NOT_ENOUGH_REPLICAS, which producers retry (Kafka's mapping).
/// </summary>
internal sealed class RemoteTxnVerification
{
    private readonly KafkaBroker _broker;
    private readonly CoordinatorPlacement _placement;

    public RemoteTxnVerification(KafkaBroker broker, CoordinatorPlacement placement)
    {
        _broker = broker;
        _placement = placement;
    }

    public async Task<ErrorCode> VerifyAsync(string transactionalId, long producerId, short producerEpoch, TxnPartition partition)
    {
        if (_broker.Topics.Find(partition.Topic)?.GetPartition(partition.Partition) is { } local
            && local.Log.HasOpenTransaction(producerId, producerEpoch))
        {
            return ErrorCode.None;
        }
        var (error, _, node, _, _) = _placement.Find(1, transactionalId, null);
        if (error != ErrorCode.None)
        {
            return ErrorCode.NotEnoughReplicas;
        }
        if (node == _broker.Cluster.NodeId)
        {
            return Retriable(await _broker.Transactions.Coordinator.VerifyPartitionAsync(transactionalId, producerId, producerEpoch, partition)
                .ConfigureAwait(false));
        }
        var request = new AddPartitionsToTxnRequest();
        var transaction = new AddPartitionsToTxnRequest.AddPartitionsToTxnTransaction
        {
            TransactionalId = transactionalId,
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            VerifyOnly = true,
        };
        transaction.Topics.Add(new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = partition.Topic, Partitions = [partition.Partition] });
        request.Transactions.Add(transaction);
        try
        {
            // Over the inter-broker listener, with its TLS and SASL, as replica fetches.
            if (_broker.Replication is not { } replication || replication.Member.Brokers.FirstOrDefault(b => b.Id == node) is not { } coordinator)
            {
                return ErrorCode.NotEnoughReplicas;
            }
            await using ReplicaChannel channel = await ReplicaChannel.ConnectAsync(coordinator, replication.InterBroker, _broker.Config.NodeId, _broker.Stopping)
                .ConfigureAwait(false);
            var response = await channel.SendAsync<AddPartitionsToTxnResponse>(ApiKey.AddPartitionsToTxn, 4, request, TimeSpan.FromSeconds(10),
                _broker.Stopping).ConfigureAwait(false);
            if (response.ErrorCode != 0)
            {
                return Retriable((ErrorCode)response.ErrorCode);
            }
            short answer = response.ResultsByTransaction.SelectMany(t => t.TopicResults).SelectMany(t => t.ResultsByPartition)
                .Select(p => p.PartitionErrorCode).FirstOrDefault((short)ErrorCode.UnknownServerError);
            return Retriable((ErrorCode)answer);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return ErrorCode.NotEnoughReplicas;
        }
    }

    /// <summary>Kafka's mapping for the producer: a coordinator that is moving or loading is a retriable NOT_ENOUGH_REPLICAS.</summary>
    private static ErrorCode Retriable(ErrorCode error) => error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable
        or ErrorCode.CoordinatorLoadInProgress or ErrorCode.NetworkException ? ErrorCode.NotEnoughReplicas : error;
}
