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
        return await SendAsync(node, transactionalId, producerId, producerEpoch, [partition], verifyOnly: true).ConfigureAwait(false);
    }

    /// <summary>
    /// KIP-890 part 2 in a cluster: the partition leader adds <paramref name="partitions"/> to a transactions-v2
    /// producer's transaction on the coordinator's broker (AddPartitionsToTxn v4 without VerifyOnly, as Kafka's
    /// leaders do), or on this broker's coordinator when it owns the id. One error for all the partitions, as the
    /// coordinator's add answers; a coordinator that cannot answer is NOT_ENOUGH_REPLICAS (retriable).
    /// </summary>
    public async Task<ErrorCode> AddAsync(string transactionalId, long producerId, short producerEpoch, IReadOnlyList<TxnPartition> partitions)
    {
        var (error, _, node, _, _) = _placement.Find(1, transactionalId, null);
        if (error != ErrorCode.None)
        {
            return ErrorCode.NotEnoughReplicas;
        }
        if (node == _broker.Cluster.NodeId)
        {
            return await _broker.Transactions.Coordinator.AddPartitionsAsync(transactionalId, producerId, producerEpoch, partitions,
                TransactionCoordinator.TransactionVersion2).ConfigureAwait(false);
        }
        return await SendAsync(node, transactionalId, producerId, producerEpoch, partitions, verifyOnly: false).ConfigureAwait(false);
    }

    private async Task<ErrorCode> SendAsync(int node, string transactionalId, long producerId, short producerEpoch,
        IReadOnlyList<TxnPartition> partitions, bool verifyOnly)
    {
        var request = new AddPartitionsToTxnRequest();
        var transaction = new AddPartitionsToTxnRequest.AddPartitionsToTxnTransaction
        {
            TransactionalId = transactionalId,
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            VerifyOnly = verifyOnly,
        };
        foreach (var topic in partitions.GroupBy(p => p.Topic, StringComparer.Ordinal))
        {
            transaction.Topics.Add(new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = topic.Key, Partitions = topic.Select(p => p.Partition).ToList() });
        }
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
            // The first partition error that is not NONE (an add answers one error for all its partitions).
            short answer = response.ResultsByTransaction.SelectMany(t => t.TopicResults).SelectMany(t => t.ResultsByPartition)
                .Select(p => p.PartitionErrorCode).DefaultIfEmpty((short)ErrorCode.UnknownServerError)
                .FirstOrDefault(code => code != 0, (short)0);
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
