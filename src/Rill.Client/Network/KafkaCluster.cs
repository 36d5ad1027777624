using System.Diagnostics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client.Network;

/// <summary>
/// The client's view of the cluster: brokers and topic metadata (cached, refreshed on demand and on
/// NOT_LEADER / UNKNOWN_TOPIC errors), and one connection per broker, reconnected with exponential backoff.
/// </summary>
internal sealed class KafkaCluster : IAsyncDisposable
{
    private readonly ClientConfig _config;
    private readonly IReadOnlyList<(string Host, int Port)> _bootstrap;
    private readonly object _gate = new();
    private readonly Dictionary<int, BrokerNode> _brokers = new();
    private readonly Dictionary<string, (TopicMetadata? Topic, long FetchedAt)> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<int, NodeSlot> _connections = new();
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private int _bootstrapIndex;
    private bool _disposed;

    public KafkaCluster(ClientConfig config)
    {
        _config = config;
        _bootstrap = config.ParseBootstrap();
    }

    public ClientConfig Config => _config;
    public string? ClusterId { get; private set; }
    public int ControllerId { get; private set; } = -1;

    public IReadOnlyList<BrokerNode> Brokers
    {
        get { lock (_gate) { return _brokers.Values.OrderBy(b => b.NodeId).ToList(); } }
    }

    /// <summary>Cached metadata for the topic, fetched when missing or stale; null when the topic does not exist.</summary>
    public async ValueTask<TopicMetadata?> GetTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(topic, out var cached) && cached.Topic is not null
                && Stopwatch.GetElapsedTime(cached.FetchedAt).TotalMilliseconds < _config.MetadataMaxAgeMs)
            {
                return cached.Topic;
            }
        }
        await RefreshAsync([topic], cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return _topics.TryGetValue(topic, out var fresh) ? fresh.Topic : null;
        }
    }

    /// <summary>The cached topic without any I/O (null when unknown).</summary>
    public TopicMetadata? TryGetCachedTopic(string topic)
    {
        lock (_gate)
        {
            return _topics.TryGetValue(topic, out var cached) ? cached.Topic : null;
        }
    }

    /// <summary>Marks a topic stale so the next lookup asks the cluster again.</summary>
    public void Invalidate(string topic)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(topic, out var cached))
            {
                _topics[topic] = (cached.Topic, long.MinValue / 2);
            }
        }
    }

    /// <summary>Asks any broker for metadata of these topics (null: all topics).</summary>
    public async Task<MetadataResponse> RefreshAsync(IReadOnlyCollection<string>? topics, CancellationToken cancellationToken = default, bool? autoCreate = null)
    {
        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            BrokerConnection connection = await GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
            short version = connection.Versions.Pick(ApiKey.Metadata);
            var request = new MetadataRequest
            {
                Topics = topics?.Select(t => new MetadataRequest.MetadataRequestTopic { Name = t }).ToList(),
                AllowAutoTopicCreation = autoCreate ?? _config.AllowAutoCreateTopics,
            };
            var response = await connection.SendAsync<MetadataResponse>(ApiKey.Metadata, version, request, cancellationToken).ConfigureAwait(false);
            Apply(response);
            return response;
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private void Apply(MetadataResponse response)
    {
        long now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            ClusterId = response.ClusterId;
            ControllerId = response.ControllerId;
            foreach (var b in response.Brokers)
            {
                _brokers[b.NodeId] = new BrokerNode(b.NodeId, b.Host, b.Port, b.Rack);
            }
            foreach (var t in response.Topics)
            {
                if (t.Name is null)
                {
                    continue;
                }
                if (t.ErrorCode != 0 || t.Partitions.Count == 0)
                {
                    _topics[t.Name] = (null, now);
                    continue;
                }
                var partitions = t.Partitions.OrderBy(p => p.PartitionIndex)
                    .Select(p => new PartitionMetadata(p.PartitionIndex, p.ErrorCode == 0 || p.LeaderId >= 0 ? p.LeaderId : -1, p.LeaderEpoch, p.ReplicaNodes, p.IsrNodes))
                    .ToArray();
                _topics[t.Name] = (new TopicMetadata(t.Name, t.TopicId, t.IsInternal, partitions), now);
            }
        }
    }

    /// <summary>A live connection to this broker, connecting (after the backoff if it failed recently) when needed.</summary>
    public Task<BrokerConnection> GetConnectionAsync(int nodeId, CancellationToken cancellationToken = default)
    {
        BrokerNode node;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_brokers.TryGetValue(nodeId, out node!))
            {
                throw new KafkaException(ErrorCode.BrokerNotAvailable, $"Broker {nodeId} is not in the cluster metadata.");
            }
        }
        return GetConnectionAsync(nodeId, node.Host, node.Port, cancellationToken);
    }

    /// <summary>Any live connection: a known broker's, else the next bootstrap address.</summary>
    public async Task<BrokerConnection> GetAnyConnectionAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var slot in _connections.Values)
            {
                if (slot.Current is { IsCompletedSuccessfully: true } task && task.Result.IsAlive)
                {
                    return task.Result;
                }
            }
        }
        Exception? last = null;
        for (int attempt = 0; attempt < _bootstrap.Count + 1; attempt++)
        {
            BrokerNode? known;
            lock (_gate)
            {
                known = _brokers.Values.FirstOrDefault();
            }
            try
            {
                if (known is not null && attempt == 0)
                {
                    return await GetConnectionAsync(known.NodeId, known.Host, known.Port, cancellationToken).ConfigureAwait(false);
                }
                int index = (Interlocked.Increment(ref _bootstrapIndex) & int.MaxValue) % _bootstrap.Count;
                var (host, port) = _bootstrap[index];
                return await GetConnectionAsync(-1 - index, host, port, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                last = e;
            }
        }
        throw new KafkaException(ErrorCode.NetworkException, $"No broker of {_config.BootstrapServers} is reachable: {last?.Message}", last);
    }

    private async Task<BrokerConnection> GetConnectionAsync(int nodeId, string host, int port, CancellationToken cancellationToken)
    {
        Task<BrokerConnection> task;
        TimeSpan wait;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_connections.TryGetValue(nodeId, out NodeSlot? slot))
            {
                _connections[nodeId] = slot = new NodeSlot();
            }
            if (slot.Current is { } current && (!current.IsCompleted || (current.IsCompletedSuccessfully && current.Result.IsAlive)))
            {
                task = current;
                wait = TimeSpan.Zero;
            }
            else
            {
                if (slot.Current is { IsCompleted: true } && !(slot.Current.IsCompletedSuccessfully && slot.Current.Result.IsAlive))
                {
                    slot.Failures++;
                    slot.LastFailure = Stopwatch.GetTimestamp();
                }
                double backoff = slot.Failures == 0 ? 0 : Math.Min(_config.ReconnectBackoffMaxMs, _config.ReconnectBackoffMs * Math.Pow(2, slot.Failures - 1));
                double elapsed = Stopwatch.GetElapsedTime(slot.LastFailure).TotalMilliseconds;
                wait = TimeSpan.FromMilliseconds(Math.Max(0, backoff - elapsed) * (0.8 + Random.Shared.NextDouble() * 0.4));
                slot.Current = task = ConnectAfterAsync(wait, host, port, nodeId, slot);
            }
        }
        return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<BrokerConnection> ConnectAfterAsync(TimeSpan wait, string host, int port, int nodeId, NodeSlot slot)
    {
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait).ConfigureAwait(false);
        }
        BrokerConnection connection = await BrokerConnection.ConnectAsync(host, port, nodeId, _config, CancellationToken.None).ConfigureAwait(false);
        lock (_gate)
        {
            slot.Failures = 0;
        }
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        List<Task<BrokerConnection>> open;
        lock (_gate)
        {
            _disposed = true;
            open = _connections.Values.Select(s => s.Current).OfType<Task<BrokerConnection>>().ToList();
            _connections.Clear();
        }
        foreach (var task in open)
        {
            if (task.IsCompletedSuccessfully)
            {
                await task.Result.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                _ = task.ContinueWith(t => t.Result.DisposeAsync(), TaskContinuationOptions.OnlyOnRanToCompletion);
            }
        }
    }

    private sealed class NodeSlot
    {
        public Task<BrokerConnection>? Current;
        public int Failures;
        public long LastFailure;
    }
}
