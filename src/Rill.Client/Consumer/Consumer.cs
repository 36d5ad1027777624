using System.Runtime.CompilerServices;
using Rill.Client.Consuming;
using Rill.Client.Network;
using Rill.Protocol;

namespace Rill.Client;

/// <summary>
/// Reads records: <see cref="Assign(IEnumerable{TopicPartition})"/> partitions yourself, or
/// <see cref="Subscribe(IEnumerable{string})"/> with a group.id (classic protocol, range or
/// cooperative-sticky), then iterate <see cref="ConsumeAsync"/>. Records of one partition come in
/// offset order. Not thread-safe for concurrent iteration: one reader at a time.
/// </summary>
public sealed partial class Consumer<TKey, TValue> : IAsyncDisposable
{
    private readonly ConsumerConfig _config;
    private readonly KafkaCluster _cluster;
    private readonly Fetcher _fetcher;
    private readonly IDeserializer<TKey> _keyDeserializer;
    private readonly IDeserializer<TValue> _valueDeserializer;
    private readonly IGroupMember? _member;
    private List<string> _subscription = new();
    private FetchedRecords? _current;
    private int _disposed;

    /// <summary>A consumer; with <see cref="ConsumerConfig.GroupId"/> it joins that group on <see cref="Subscribe(IEnumerable{string})"/>. Null deserializers pick the default for the type (<see cref="Deserializers.Default{T}"/>).</summary>
    public Consumer(ConsumerConfig config, IDeserializer<TKey>? keyDeserializer = null, IDeserializer<TValue>? valueDeserializer = null)
    {
        _config = config;
        _cluster = new KafkaCluster(config);
        _fetcher = new Fetcher(config, _cluster);
        _keyDeserializer = keyDeserializer ?? Deserializers.Default<TKey>();
        _valueDeserializer = valueDeserializer ?? Deserializers.Default<TValue>();
        if (config.GroupId is not null)
        {
            if (config.GroupProtocol.Equals("consumer", StringComparison.OrdinalIgnoreCase))
            {
                _member = new ConsumerGroupMember(config, _cluster);
            }
            else
            {
                var assignors = config.PartitionAssignmentStrategy.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(IAssignor.Create).ToList();
                _member = new ClassicGroupMember(config, _cluster, assignors);
            }
        }
        _lastAutoCommit = Environment.TickCount64;
    }

    /// <summary>Called with partitions newly assigned (before records of them are handed out).</summary>
    public Action<IReadOnlyList<TopicPartition>>? PartitionsAssigned { get; set; }

    /// <summary>Called with partitions taken away in a rebalance (after their offsets are committed when auto-commit is on).</summary>
    public Action<IReadOnlyList<TopicPartition>>? PartitionsRevoked { get; set; }

    /// <summary>Called when the group session was lost: these partitions may already belong to someone else.</summary>
    public Action<IReadOnlyList<TopicPartition>>? PartitionsLost { get; set; }

    /// <summary>The member id the group coordinator gave this consumer (null without a group or before joining).</summary>
    public string? MemberId => _member?.MemberId;

    /// <summary>The group, generation (member epoch for KIP-848) and member id, for transactional offset commits.</summary>
    public ConsumerGroupMetadata GroupMetadata => new(_config.GroupId ?? throw new InvalidOperationException("The consumer has no group.id."),
        _member?.Generation ?? -1, _member?.MemberId ?? "", _config.GroupInstanceId);

    /// <summary>The partitions this consumer reads now.</summary>
    public IReadOnlyList<TopicPartition> Assignment => _fetcher.Assigned.Select(s => s.TopicPartition).OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();

    /// <summary>Joins the group (group.id required) for these topics; the assignment arrives while consuming.</summary>
    public void Subscribe(IEnumerable<string> topics)
    {
        if (_member is null)
        {
            throw new InvalidOperationException("Subscribe needs group.id; use Assign without a group.");
        }
        _subscription = topics.Distinct().ToList();
        _member.RequestRejoin();
    }

    /// <summary>Joins the group for this one topic.</summary>
    public void Subscribe(string topic) => Subscribe([topic]);

    /// <summary>Reads exactly these partitions, from the committed offset (with a group) or auto.offset.reset.</summary>
    public void Assign(IEnumerable<TopicPartition> partitions) => Assign(partitions.Select(p => new TopicPartitionOffset(p.Topic, p.Partition, Offsets.Unset)));

    /// <summary>Reads exactly these partitions from these offsets (<see cref="Offsets.Earliest"/>/<see cref="Offsets.Latest"/> allowed).</summary>
    public void Assign(IEnumerable<TopicPartitionOffset> partitions)
    {
        foreach (var state in _fetcher.Assigned)
        {
            _fetcher.Remove(state.TopicPartition);
        }
        foreach (var p in partitions)
        {
            PartitionState state = _fetcher.Add(p.TopicPartition);
            lock (_fetcher.Lock)
            {
                state.Seek(p.Offset);
            }
        }
    }

    /// <summary>Stops reading every partition assigned with Assign.</summary>
    public void Unassign() => Assign(Array.Empty<TopicPartitionOffset>());

    /// <summary>
    /// Records as they arrive, until the token is cancelled. Joins and rebalances the group,
    /// resolves starting offsets, and auto-commits along the way.
    /// </summary>
    public async IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await PollAsync(cancellationToken).ConfigureAwait(false);
            FetchedRecords? current = _current;
            if (current is null)
            {
                if (!_fetcher.TryTake(out current))
                {
                    _fetcher.SendFetches();
                    try
                    {
                        await _fetcher.Ready.WaitAsync(100, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        yield break;
                    }
                    continue;
                }
                _current = current;
                _fetcher.SendFetches();
            }
            PartitionState state = current!.State;
            string topic = state.TopicPartition.Topic;
            int partition = state.TopicPartition.Partition;
            int count = 0;
            while (true)
            {
                if (state.Epoch != current.Epoch || state.Revoked || state.Paused)
                {
                    break;
                }
                if (!current.TryNext(out RecordView record))
                {
                    // Past the response's last batch: skipped control and aborted batches move the position too,
                    // so a committed position never points back at a transaction marker.
                    if (current.NextOffset > state.Position)
                    {
                        state.Position = current.NextOffset;
                    }
                    break;
                }
                if (record.Offset < state.Position)
                {
                    continue;
                }
                state.Position = record.Offset + 1;
                yield return new ConsumeResult<TKey, TValue>(topic, partition, record.Offset, record.Timestamp,
                    _keyDeserializer.Deserialize(record.Key), _valueDeserializer.Deserialize(record.Value), record.Headers, record.HeaderCount);
                if (++count == 4096 && (_member?.RejoinNeeded == true || AutoCommitDue))
                {
                    await PollAsync(cancellationToken).ConfigureAwait(false);
                    count = 0;
                }
            }
            if (state.Epoch == current.Epoch && state.Paused && !state.Revoked)
            {
                // paused mid-response: fetch again from the position when resumed
                lock (_fetcher.Lock)
                {
                    state.Seek(state.Position);
                }
            }
            _current = null;
        }
    }

    /// <summary>Waits up to the timeout for one record; null when none came.</summary>
    public async Task<ConsumeResult<TKey, TValue>?> ConsumeOneAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        await foreach (var result in ConsumeAsync(cts.Token).ConfigureAwait(false))
        {
            return result;
        }
        return null;
    }

    /// <summary>Stops fetching these partitions (buffered records of them are dropped and refetched on resume).</summary>
    public void Pause(IEnumerable<TopicPartition> partitions) => SetPaused(partitions, true);

    /// <summary>Fetches these paused partitions again, from their current positions.</summary>
    public void Resume(IEnumerable<TopicPartition> partitions) => SetPaused(partitions, false);

    private void SetPaused(IEnumerable<TopicPartition> partitions, bool paused)
    {
        foreach (var p in partitions)
        {
            PartitionState state = _fetcher.Find(p) ?? throw new InvalidOperationException($"{p} is not assigned to this consumer.");
            lock (_fetcher.Lock)
            {
                if (state.Paused && !paused)
                {
                    state.Seek(state.Position);
                }
                state.Paused = paused;
            }
        }
        _fetcher.Ready.Set();
    }

    /// <summary>The next offset this consumer will hand out for the partition (-1001 when not yet known).</summary>
    public long Position(TopicPartition partition) => _fetcher.Find(partition)?.Position ?? throw new InvalidOperationException($"{partition} is not assigned.");

    /// <summary>Moves the position of an assigned partition (Offsets.Earliest / Offsets.Latest allowed).</summary>
    public async Task SeekAsync(TopicPartitionOffset offset, CancellationToken cancellationToken = default)
    {
        PartitionState state = _fetcher.Find(offset.TopicPartition) ?? throw new InvalidOperationException($"{offset.TopicPartition} is not assigned.");
        long target = offset.Offset;
        if (target < 0)
        {
            var found = await OffsetClient.ListOffsetsAsync(_cluster, [(offset.TopicPartition, target)], _config.IsolationLevel, cancellationToken).ConfigureAwait(false);
            target = found[offset.TopicPartition];
        }
        lock (_fetcher.Lock)
        {
            state.Seek(target);
        }
        _fetcher.Ready.Set();
    }

    /// <summary>Moves each partition to the first record with a timestamp at or after the given one (the end if there is none).</summary>
    public async Task SeekToTimestampAsync(IEnumerable<TopicPartition> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        var list = partitions.ToList();
        long ms = timestamp.ToUnixTimeMilliseconds();
        var found = await OffsetClient.ListOffsetsAsync(_cluster, list.Select(p => (p, ms)), _config.IsolationLevel, cancellationToken).ConfigureAwait(false);
        var missing = list.Where(p => found[p] < 0).ToList();
        if (missing.Count > 0)
        {
            var ends = await OffsetClient.ListOffsetsAsync(_cluster, missing.Select(p => (p, Offsets.Latest)), _config.IsolationLevel, cancellationToken).ConfigureAwait(false);
            foreach (var (p, end) in ends)
            {
                found[p] = end;
            }
        }
        foreach (var p in list)
        {
            await SeekAsync(new TopicPartitionOffset(p.Topic, p.Partition, found[p]), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>(low, high) watermarks of a partition, asked from its leader.</summary>
    public async Task<(long Low, long High)> QueryWatermarkOffsetsAsync(TopicPartition partition, CancellationToken cancellationToken = default)
    {
        var low = await OffsetClient.ListOffsetsAsync(_cluster, [(partition, Offsets.Earliest)], _config.IsolationLevel, cancellationToken).ConfigureAwait(false);
        var high = await OffsetClient.ListOffsetsAsync(_cluster, [(partition, Offsets.Latest)], _config.IsolationLevel, cancellationToken).ConfigureAwait(false);
        return (low[partition], high[partition]);
    }

    /// <summary>Commits (with auto-commit), leaves the group and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _fetcher.Stopped = true;
        if (_member is not null)
        {
            try
            {
                if (_config.EnableAutoCommit && _member.Generation >= 0)
                {
                    using var timeout = new CancellationTokenSource(_config.RequestTimeoutMs);
                    await CommitAsync(timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is KafkaException or OperationCanceledException)
            {
            }
            await _member.LeaveAsync().ConfigureAwait(false);
        }
        await _cluster.DisposeAsync().ConfigureAwait(false);
    }
}
