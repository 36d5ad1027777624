using Rill.Client.Network;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client;

/// <summary>A transactional id as a coordinator lists it (ListTransactions).</summary>
public sealed record TransactionListing(string TransactionalId, long ProducerId, string State, int CoordinatorId);

/// <summary>A transactional id's state at its coordinator (DescribeTransactions).</summary>
public sealed record TransactionDescription(string TransactionalId, int CoordinatorId, string State, long ProducerId, short ProducerEpoch,
    int TransactionTimeoutMs, long TransactionStartTimeMs, IReadOnlyList<TopicPartition> Partitions);

/// <summary>A producer a partition knows (DescribeProducers); <see cref="CurrentTransactionStartOffset"/> is -1 without an open transaction.</summary>
public sealed record ProducerState(long ProducerId, int ProducerEpoch, int LastSequence, long LastTimestamp, int CoordinatorEpoch,
    long CurrentTransactionStartOffset);

/// <summary>Transactions: KIP-664's admin APIs, as kafka-transactions.sh uses them.</summary>
public sealed partial class AdminClient
{
    /// <summary>Every transactional id known to every broker's coordinator, optionally only in these states (Ongoing, PrepareCommit, ...).</summary>
    public async Task<IReadOnlyList<TransactionListing>> ListTransactionsAsync(IEnumerable<string>? states = null, IEnumerable<long>? producerIds = null,
        CancellationToken cancellationToken = default)
    {
        await _cluster.RefreshAsync([], cancellationToken).ConfigureAwait(false);
        var listings = new List<TransactionListing>();
        foreach (var broker in _cluster.Brokers)
        {
            BrokerConnection connection = await _cluster.GetConnectionAsync(broker.NodeId, cancellationToken).ConfigureAwait(false);
            var request = new ListTransactionsRequest { StateFilters = [.. states ?? []], ProducerIdFilters = [.. producerIds ?? []] };
            var response = await connection.SendAsync<ListTransactionsResponse>(ApiKey.ListTransactions, connection.Versions.Pick(ApiKey.ListTransactions),
                request, cancellationToken).ConfigureAwait(false);
            KafkaException.ThrowIfError(response.ErrorCode, $"ListTransactions on broker {broker.NodeId}");
            listings.AddRange(response.TransactionStates.Select(t => new TransactionListing(t.TransactionalId, t.ProducerId, t.TransactionState, broker.NodeId)));
        }
        return listings;
    }

    /// <summary>The state of a transactional id at its coordinator; TRANSACTIONAL_ID_NOT_FOUND when it has none.</summary>
    public async Task<TransactionDescription> DescribeTransactionAsync(string transactionalId, CancellationToken cancellationToken = default)
    {
        var lookup = new CoordinatorLookup(_cluster, transactionalId, CoordinatorLookup.Transaction);
        BrokerConnection connection = await lookup.GetAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.SendAsync<DescribeTransactionsResponse>(ApiKey.DescribeTransactions, connection.Versions.Pick(ApiKey.DescribeTransactions),
            new DescribeTransactionsRequest { TransactionalIds = [transactionalId] }, cancellationToken).ConfigureAwait(false);
        var state = response.TransactionStates.Single();
        KafkaException.ThrowIfError(state.ErrorCode, $"DescribeTransactions for {transactionalId}");
        return new TransactionDescription(state.TransactionalId, connection.NodeId, state.TransactionState, state.ProducerId, state.ProducerEpoch,
            state.TransactionTimeoutMs, state.TransactionStartTimeMs,
            [.. state.Topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p)))]);
    }

    /// <summary>The producers a partition's leader knows, with their open transaction's first offset.</summary>
    public async Task<IReadOnlyList<ProducerState>> DescribeProducersAsync(TopicPartition partition, CancellationToken cancellationToken = default)
    {
        BrokerConnection connection = await LeaderAsync(partition, cancellationToken).ConfigureAwait(false);
        var request = new DescribeProducersRequest();
        request.Topics.Add(new DescribeProducersRequest.TopicRequest { Name = partition.Topic, PartitionIndexes = [partition.Partition] });
        var response = await connection.SendAsync<DescribeProducersResponse>(ApiKey.DescribeProducers, connection.Versions.Pick(ApiKey.DescribeProducers),
            request, cancellationToken).ConfigureAwait(false);
        var result = response.Topics.Single().Partitions.Single();
        KafkaException.ThrowIfError(result.ErrorCode, $"DescribeProducers for {partition}", result.ErrorMessage);
        return [.. result.ActiveProducers.Select(p => new ProducerState(p.ProducerId, p.ProducerEpoch, p.LastSequence, p.LastTimestamp,
            p.CoordinatorEpoch, p.CurrentTxnStartOffset))];
    }

    /// <summary>
    /// Aborts a hanging transaction on one partition (KIP-664): writes an abort marker for the
    /// producer whose open transaction starts at <paramref name="startOffset"/>, with the producer
    /// epoch and coordinator epoch the partition reports, so the partition's last stable offset moves on.
    /// </summary>
    public async Task<ProducerState> AbortTransactionAsync(TopicPartition partition, long startOffset, CancellationToken cancellationToken = default)
    {
        var producers = await DescribeProducersAsync(partition, cancellationToken).ConfigureAwait(false);
        ProducerState producer = producers.FirstOrDefault(p => p.CurrentTransactionStartOffset == startOffset)
            ?? throw new KafkaException(ErrorCode.InvalidTxnState, $"No open transaction of {partition} starts at offset {startOffset}.");
        BrokerConnection connection = await LeaderAsync(partition, cancellationToken).ConfigureAwait(false);
        var marker = new WriteTxnMarkersRequest.WritableTxnMarker
        {
            ProducerId = producer.ProducerId,
            ProducerEpoch = (short)producer.ProducerEpoch,
            TransactionResult = false,
            CoordinatorEpoch = producer.CoordinatorEpoch,
        };
        marker.Topics.Add(new WriteTxnMarkersRequest.WritableTxnMarkerTopic { Name = partition.Topic, PartitionIndexes = [partition.Partition] });
        var response = await connection.SendAsync<WriteTxnMarkersResponse>(ApiKey.WriteTxnMarkers, connection.Versions.Pick(ApiKey.WriteTxnMarkers),
            new WriteTxnMarkersRequest { Markers = [marker] }, cancellationToken).ConfigureAwait(false);
        short error = response.Markers.Single().Topics.Single().Partitions.Single().ErrorCode;
        KafkaException.ThrowIfError(error, $"WriteTxnMarkers (abort) for producer {producer.ProducerId} on {partition}");
        return producer;
    }

    private async Task<BrokerConnection> LeaderAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        TopicMetadata metadata = await _cluster.GetTopicAsync(partition.Topic, cancellationToken).ConfigureAwait(false)
            ?? throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"Unknown topic {partition.Topic}.");
        var p = metadata.Partitions.FirstOrDefault(x => x.Partition == partition.Partition)
            ?? throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"{partition.Topic} has no partition {partition.Partition}.");
        return await _cluster.GetConnectionAsync(p.Leader, cancellationToken).ConfigureAwait(false);
    }
}
