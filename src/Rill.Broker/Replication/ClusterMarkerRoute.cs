using System.Net.Sockets;
using Rill.Broker.Topics;
using Rill.Broker.Transactions;
using Rill.Coordination.Transactions;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication;

/// <summary>
/// Cluster mode: where the transaction coordinator's markers go. A partition this broker leads gets its
/// marker appended here (acks=all); any other gets a WriteTxnMarkers request (v1) sent to its leader, as
/// Kafka's coordinator does. A leader that moved (NOT_LEADER_OR_FOLLOWER), a broker that cannot be reached
/// or an ISR that does not confirm in time is retried for a bounded time, then the write fails and the
/// coordinator writes the whole set again at its next check. The coordinator epoch in each marker is the
/// leader epoch of the transactional id's __transaction_state partition.
/// </summary>
internal sealed class ClusterMarkerRoute
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);
    private const int Attempts = 40;
    private readonly ReplicaManager _replicas;

    public ClusterMarkerRoute(ReplicaManager replicas) => _replicas = replicas;

    private KafkaBroker Broker => _replicas.Broker;

    /// <summary>The leader epoch of <paramref name="transactionalId"/>'s __transaction_state partition (0 before it exists).</summary>
    public int CoordinatorEpochOf(string transactionalId)
    {
        Topic? topic = Broker.Topics.Find(TransactionStateLog.TopicName);
        return topic is null ? 0
            : topic.GetPartition(ConsumerOffsetsLog.PartitionFor(transactionalId, topic.Partitions.Length))?.Replica?.LeaderEpoch ?? 0;
    }

    public async Task<ErrorCode> WriteAsync(TransactionMarkerWriter writer, long producerId, short producerEpoch, bool commit,
        int coordinatorEpoch, TxnPartition tp)
    {
        ErrorCode error = ErrorCode.UnknownServerError;
        for (int attempt = 0; attempt < Attempts && !Broker.Stopping.IsCancellationRequested; attempt++)
        {
            Partition? partition = Broker.Topics.Find(tp.Topic)?.GetPartition(tp.Partition);
            if (partition is null)
            {
                return ErrorCode.UnknownTopicOrPartition; // deleted since: skipped, as Kafka does
            }
            error = partition.Replica is null or { IsLeader: true }
                ? await writer.AppendMarkerAsync(producerId, producerEpoch, commit, coordinatorEpoch, tp).ConfigureAwait(false)
                : partition.Replica.LeaderId < 0
                    ? ErrorCode.NotLeaderOrFollower
                    : await SendAsync(partition.Replica.LeaderId, producerId, producerEpoch, commit, coordinatorEpoch, tp).ConfigureAwait(false);
            if (error is not (ErrorCode.NotLeaderOrFollower or ErrorCode.NetworkException or ErrorCode.RequestTimedOut
                or ErrorCode.NotEnoughReplicas or ErrorCode.CoordinatorLoadInProgress))
            {
                return error;
            }
            await Task.Delay(RetryDelay).ConfigureAwait(false);
        }
        return error;
    }

    private async Task<ErrorCode> SendAsync(int leader, long producerId, short producerEpoch, bool commit, int coordinatorEpoch, TxnPartition tp)
    {
        if (_replicas.Member.Brokers.FirstOrDefault(b => b.Id == leader) is not { } broker)
        {
            return ErrorCode.NotLeaderOrFollower;
        }
        var request = new WriteTxnMarkersRequest();
        var marker = new WriteTxnMarkersRequest.WritableTxnMarker
        {
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            TransactionResult = commit,
            CoordinatorEpoch = coordinatorEpoch,
        };
        marker.Topics.Add(new WriteTxnMarkersRequest.WritableTxnMarkerTopic { Name = tp.Topic, PartitionIndexes = [tp.Partition] });
        request.Markers.Add(marker);
        try
        {
            await using ReplicaChannel channel = await ReplicaChannel.ConnectAsync(broker, _replicas.InterBroker, Broker.Config.NodeId, Broker.Stopping)
                .ConfigureAwait(false);
            var response = await channel.SendAsync<WriteTxnMarkersResponse>(ApiKey.WriteTxnMarkers, 1, request, TimeSpan.FromSeconds(15), Broker.Stopping)
                .ConfigureAwait(false);
            return response.Markers is [{ Topics: [{ Partitions: [var answer] }] }] ? (ErrorCode)answer.ErrorCode : ErrorCode.UnknownServerError;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return ErrorCode.NetworkException;
        }
    }
}
