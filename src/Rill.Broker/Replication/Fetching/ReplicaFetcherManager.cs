using Microsoft.Extensions.Logging;
using Rill.Broker.Topics;

namespace Rill.Broker.Replication.Fetching;

/// <summary>
/// Kafka's replica fetcher manager: the partitions this broker follows, grouped by source broker into
/// num.replica.fetchers <see cref="ReplicaFetcher"/>s per leader (a partition goes to fetcher
/// <c>|31 · hash(topic) + partition| mod num.replica.fetchers</c>, so with the default 1 every partition followed from one
/// leader shares one fetcher and one connection). Leadership changes add a partition (in its new epoch: it truncates
/// first), move it to another leader's fetcher, or remove it; a fetcher left without partitions is stopped.
/// </summary>
internal sealed class ReplicaFetcherManager : IAsyncDisposable
{
    private readonly int _self;
    private readonly ReplicaFetcherSettings _settings;
    private readonly Func<int, CancellationToken, Task<IReplicaLeaderLink>> _connect;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly bool _useSessions;
    private readonly object _gate = new();
    private readonly Dictionary<(int Leader, int FetcherId), ReplicaFetcher> _fetchers = [];
    private readonly Dictionary<(string Topic, int Partition), ReplicaFetcher> _assigned = [];
    private bool _closed;

    public ReplicaFetcherManager(int self, ReplicaFetcherSettings settings, Func<int, CancellationToken, Task<IReplicaLeaderLink>> connect, ILogger log,
        TimeProvider? time = null, bool useSessions = true)
    {
        _self = self;
        _settings = settings;
        _connect = connect;
        _log = log;
        _time = time ?? TimeProvider.System;
        _useSessions = useSessions;
    }

    /// <summary>The running fetchers (one per source broker and fetcher id).</summary>
    public IReadOnlyList<ReplicaFetcher> Fetchers
    {
        get { lock (_gate) { return [.. _fetchers.Values]; } }
    }

    /// <summary>The fetcher a partition is assigned to, or null.</summary>
    public ReplicaFetcher? FetcherOf(string topic, int partition)
    {
        lock (_gate)
        {
            return _assigned.GetValueOrDefault((topic, partition));
        }
    }

    /// <summary>Kafka's AbstractFetcherManager.getFetcherId, with a hash that is the same in every process.</summary>
    public static int FetcherIdOf(string topic, int partition, int numFetchers)
    {
        int hash = 0;
        foreach (char c in topic)
        {
            hash = unchecked((31 * hash) + c);
        }
        return (int)(Math.Abs((long)unchecked((31 * hash) + partition)) % Math.Max(1, numFetchers));
    }

    /// <summary>Follows <paramref name="partition"/> from <paramref name="leader"/> in <paramref name="leaderEpoch"/>.</summary>
    public void AddOrUpdate(Partition partition, PartitionReplica replica, int leader, int leaderEpoch)
    {
        ReplicaFetcher? idle = null;
        lock (_gate)
        {
            if (_closed)
            {
                return; // shutting down: this broker no longer fetches
            }
            var key = (partition.Topic.Name, partition.Index);
            if (_assigned.TryGetValue(key, out ReplicaFetcher? current) && current.Leader != leader)
            {
                current.Remove(key.Name, key.Index);
                _assigned.Remove(key);
                idle = current.PartitionCount == 0 ? Detach(current) : null;
            }
            var id = (leader, FetcherIdOf(key.Name, key.Index, _settings.NumFetchers));
            if (!_fetchers.TryGetValue(id, out ReplicaFetcher? fetcher))
            {
                fetcher = new ReplicaFetcher(leader, id.Item2, _self, _settings, stop => _connect(leader, stop), _log, _time, _useSessions);
                _fetchers[id] = fetcher;
                fetcher.Start();
                _log.LogDebug("Replica fetcher {FetcherId} for broker {Leader} started", id.Item2, leader);
            }
            fetcher.AddOrUpdate(partition, replica, leaderEpoch);
            _assigned[key] = fetcher;
        }
        _ = idle?.StopAsync();
    }

    /// <summary>Stops following the partition; once this returns no fetcher changes its log.</summary>
    public void Remove(Partition partition) => Remove(partition.Topic.Name, partition.Index);

    private void Remove(string topic, int partition)
    {
        ReplicaFetcher? idle = null;
        lock (_gate)
        {
            if (!_assigned.Remove((topic, partition), out ReplicaFetcher? fetcher))
            {
                return;
            }
            fetcher.Remove(topic, partition);
            idle = fetcher.PartitionCount == 0 ? Detach(fetcher) : null;
        }
        _ = idle?.StopAsync();
    }

    /// <summary>Stops following every partition of <paramref name="topic"/> (deleted).</summary>
    public void RemoveTopic(string topic)
    {
        (string, int)[] keys;
        lock (_gate)
        {
            keys = _assigned.Keys.Where(k => k.Topic == topic).ToArray();
        }
        foreach (var (name, index) in keys)
        {
            Remove(name, index);
        }
    }

    private ReplicaFetcher Detach(ReplicaFetcher fetcher)
    {
        _fetchers.Remove((fetcher.Leader, fetcher.FetcherId));
        _log.LogDebug("Replica fetcher {FetcherId} for broker {Leader} has no partitions left: stopping", fetcher.FetcherId, fetcher.Leader);
        return fetcher;
    }

    /// <summary>Stops every fetcher (shutdown); later additions are ignored.</summary>
    public async ValueTask DisposeAsync()
    {
        ReplicaFetcher[] all;
        lock (_gate)
        {
            _closed = true;
            all = [.. _fetchers.Values];
            _fetchers.Clear();
            _assigned.Clear();
        }
        await Task.WhenAll(all.Select(f => f.StopAsync())).ConfigureAwait(false);
    }
}
