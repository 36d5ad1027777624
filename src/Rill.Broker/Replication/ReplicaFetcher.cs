using Microsoft.Extensions.Logging;
using Rill.Broker.Topics;
using Rill.Cluster;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication;

/// <summary>
/// A follower's fetch loop for one partition and one leader epoch. First it truncates this log to where it
/// diverges from the leader's (KIP-101/KIP-279): OffsetForLeaderEpoch for its latest epoch, truncate to the
/// answer (bounded by its own end offset for that epoch), repeat while the answer names an older epoch than the
/// one asked. Then Fetch (v11, replica_id = this node, current_leader_epoch) from the leader at this log's end
/// offset, long-polling; the batches are appended with the leader's offsets and epochs, and the leader's high
/// watermark is taken (bounded by this log). OFFSET_OUT_OF_RANGE below the leader's log start empties the log and
/// starts it at the leader's log start; above the leader's log end, the truncation runs again.
/// Stops when cancelled (the partition got another leader or epoch, or the broker stops).
/// </summary>
internal sealed class ReplicaFetcher
{
    private const short FetchVersion = 11;
    private const short OffsetForLeaderEpochVersion = 4;
    private const int MaxTruncationRounds = 64;
    private readonly Partition _partition;
    private readonly PartitionReplica _replica;
    private readonly int _self;
    private readonly int _leader;
    private readonly int _epoch;
    private readonly Func<int, BrokerInfo?> _findBroker;
    private readonly InterBrokerSecurity _security;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private bool _truncated;

    public ReplicaFetcher(Partition partition, PartitionReplica replica, int self, int leader, int epoch, Func<int, BrokerInfo?> findBroker, ILogger log,
        InterBrokerSecurity? security = null)
    {
        _security = security ?? InterBrokerSecurity.Plaintext;
        _partition = partition;
        _replica = replica;
        _self = self;
        _leader = leader;
        _epoch = epoch;
        _findBroker = findBroker;
        _log = log;
    }

    public int Leader => _leader;
    public int Epoch => _epoch;

    public void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        CancellationToken stop = _stop.Token;
        ReplicaChannel? channel = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (channel is null)
                    {
                        if (_findBroker(_leader) is not { } leader)
                        {
                            await Task.Delay(100, stop).ConfigureAwait(false);
                            continue;
                        }
                        channel = await ReplicaChannel.ConnectAsync(leader, _security, _self, stop).ConfigureAwait(false);
                    }
                    if (!_truncated)
                    {
                        if (!await TruncateToDivergenceAsync(channel, stop).ConfigureAwait(false))
                        {
                            await Task.Delay(100, stop).ConfigureAwait(false);
                            continue;
                        }
                        _truncated = true;
                    }
                    if (!await FetchOnceAsync(channel, stop).ConfigureAwait(false))
                    {
                        await Task.Delay(100, stop).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ProtocolException
                    or OperationCanceledException && !stop.IsCancellationRequested)
                {
                    _log.LogDebug("Fetch of {Topic}-{Partition} from broker {Leader} failed: {Message}", _partition.Topic.Name, _partition.Index, _leader, e.Message);
                    if (channel is not null)
                    {
                        await channel.DisposeAsync().ConfigureAwait(false);
                        channel = null;
                    }
                    await Task.Delay(200, stop).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>One fetch; false when the leader answered an error (back off a little).</summary>
    private async Task<bool> FetchOnceAsync(ReplicaChannel channel, CancellationToken stop)
    {
        long offset = _partition.Log.LogEndOffset;
        var request = new FetchRequest
        {
            ReplicaId = _self,
            MaxWaitMs = 500,
            MinBytes = 1,
            MaxBytes = 8 * 1024 * 1024,
            Topics =
            [
                new FetchRequest.FetchTopic
                {
                    Topic = _partition.Topic.Name,
                    Partitions = [new FetchRequest.FetchPartition
                    {
                        Partition = _partition.Index, CurrentLeaderEpoch = _epoch, FetchOffset = offset, PartitionMaxBytes = 4 * 1024 * 1024,
                        LogStartOffset = _partition.Log.LogStartOffset,
                    }],
                },
            ],
        };
        FetchResponse response = await channel.SendAsync<FetchResponse>(ApiKey.Fetch, FetchVersion, request, TimeSpan.FromSeconds(10), stop).ConfigureAwait(false);
        if (response.ErrorCode != 0 || response.Responses is not [{ Partitions: [var data] }])
        {
            return false;
        }
        if (data.ErrorCode != 0)
        {
            if ((ErrorCode)data.ErrorCode == ErrorCode.OffsetOutOfRange)
            {
                if (data.LogStartOffset > offset)
                {
                    // The leader deleted what this log would fetch next (retention, DeleteRecords): start at its log start.
                    _partition.Log.TruncateFullyAndStartAt(data.LogStartOffset);
                    _replica.ClampHighWatermark(data.LogStartOffset);
                    _log.LogInformation("{Topic}-{Partition}: log end {Offset} is below leader {Leader}'s log start; emptied and restarted at {Start}",
                        _partition.Topic.Name, _partition.Index, offset, _leader, data.LogStartOffset);
                    return true;
                }
                _truncated = false; // beyond the leader's log end: find the divergence point again
            }
            return false;
        }
        if (data.Records is { Length: > 0 } records)
        {
            var result = _partition.Log.AppendAsFollower(records.Span);
            if (result.Error != ErrorCode.None)
            {
                _log.LogWarning("{Topic}-{Partition}: follower append at {Offset} failed: {Error}", _partition.Topic.Name, _partition.Index, offset, result.Error);
                TruncateToDivergingBatch(records.Span, offset);
                return false;
            }
            _partition.Appended.Notify();
        }
        _replica.SetFollowerHighWatermark(data.HighWatermark, _partition.Log.LogEndOffset);
        FollowerLogStart.Follow(_partition, data.LogStartOffset);
        return true;
    }

    /// <summary>
    /// The leader answered a fetch at <paramref name="offset"/> (this log's end) with a batch that starts below it
    /// and ends at or above it: this log's tail is not the leader's (its batches differ, so it holds records the
    /// leader never committed, e.g. a partitioned old leader's unacknowledged writes) and the epoch loop
    /// (<see cref="TruncateToDivergenceAsync"/>) did not see it (a log without epochs): the leader's batch boundary is
    /// the best known divergence point: truncate to it and refetch, instead of failing the same append forever
    /// (found by bench/cluster/jepsen.py).
    /// </summary>
    private void TruncateToDivergingBatch(ReadOnlySpan<byte> records, long offset)
    {
        if (ReplicaDivergence.TruncationPoint(records, offset, _partition.Log.LogStartOffset) is { } point)
        {
            long leo = _partition.Log.TruncateTo(point);
            _replica.ClampHighWatermark(leo);
            _log.LogWarning("{Topic}-{Partition}: log diverged from leader {Leader} (epoch {Epoch}): truncated to {Offset}, the start of the leader's batch",
                _partition.Topic.Name, _partition.Index, _leader, _epoch, leo);
        }
    }

    /// <summary>
    /// KIP-279's truncation loop; false when the leader could not answer yet (retry after a pause). A log without epochs
    /// (empty, or written before epochs were stamped) truncates to its high watermark, as Kafka does.
    /// </summary>
    private async Task<bool> TruncateToDivergenceAsync(ReplicaChannel channel, CancellationToken stop)
    {
        for (int round = 0; round < MaxTruncationRounds; round++)
        {
            int latest = _partition.Log.LeaderEpochs.LatestEpoch;
            long leo = _partition.Log.LogEndOffset;
            if (latest < 0)
            {
                Truncate(Math.Min(_replica.HighWatermark, leo), "no leader epochs: to the high watermark");
                return true;
            }
            var request = new OffsetForLeaderEpochRequest
            {
                ReplicaId = _self,
                Topics =
                [
                    new OffsetForLeaderEpochRequest.OffsetForLeaderTopic
                    {
                        Topic = _partition.Topic.Name,
                        Partitions = [new OffsetForLeaderEpochRequest.OffsetForLeaderPartition
                        {
                            Partition = _partition.Index, CurrentLeaderEpoch = _epoch, LeaderEpoch = latest,
                        }],
                    },
                ],
            };
            OffsetForLeaderEpochResponse response = await channel.SendAsync<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch,
                OffsetForLeaderEpochVersion, request, TimeSpan.FromSeconds(10), stop).ConfigureAwait(false);
            if (response.Topics is not [{ Partitions: [var answer] }] || answer.ErrorCode != 0)
            {
                _log.LogDebug("{Topic}-{Partition}: OffsetForLeaderEpoch from broker {Leader} failed ({Error})", _partition.Topic.Name,
                    _partition.Index, _leader, response.Topics is [{ Partitions: [var failed] }] ? (ErrorCode)failed.ErrorCode : ErrorCode.UnknownServerError);
                return false;
            }
            var leader = new Storage.Epochs.EpochEndOffset(answer.LeaderEpoch, answer.EndOffset);
            Divergence.Step step = Divergence.Next(leader, _partition.Log.LeaderEpochs, leo, _replica.HighWatermark);
            Truncate(step.TruncateTo, $"epoch {latest}: leader {_leader} answers epoch {leader.Epoch} ends at {leader.EndOffset}");
            if (step.Done)
            {
                return true;
            }
        }
        return true;
    }

    private void Truncate(long offset, string why)
    {
        if (_partition.Log.LogEndOffset > offset)
        {
            long before = _partition.Log.LogEndOffset;
            long leo = _partition.Log.TruncateTo(offset);
            _log.LogInformation("{Topic}-{Partition}: truncated from {Before} to {Offset} following leader {Leader} in epoch {Epoch} ({Why})",
                _partition.Topic.Name, _partition.Index, before, leo, _leader, _epoch, why);
        }
        _replica.ClampHighWatermark(_partition.Log.LogEndOffset);
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
