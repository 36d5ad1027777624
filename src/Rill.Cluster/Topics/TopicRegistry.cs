using Microsoft.Extensions.Logging;
using Rill.Cluster.Store;

namespace Rill.Cluster.Topics;

/// <summary>
/// The topics under {prefix}/topics/: reads that must be current go to the store (linearizable), every
/// change is a compare-and-swap on the topic key's revision, and a watch keeps a local copy, applying
/// changes in revision order and raising <see cref="TopicChanged"/> for each (on the watch task).
/// </summary>
public sealed class TopicRegistry : IAsyncDisposable
{
    private readonly IMetadataStore _store;
    private readonly ClusterKeys _keys;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private Dictionary<string, VersionedTopic> _topics = new(StringComparer.Ordinal);
    private Task _watch = Task.CompletedTask;
    private long _appliedRevision;

    public TopicRegistry(IMetadataStore store, ClusterKeys keys, ILogger log)
    {
        _store = store;
        _keys = keys;
        _log = log;
    }

    /// <summary>Raised for each created/changed topic (state) or deleted one (null), in revision order.</summary>
    public event Action<string, VersionedTopic?>? TopicChanged;

    /// <summary>The local copy (as of the last applied watch event).</summary>
    public IReadOnlyDictionary<string, VersionedTopic> Topics => _topics;

    /// <summary>The store revision the local copy reflects.</summary>
    public long AppliedRevision => Interlocked.Read(ref _appliedRevision);

    public VersionedTopic? Find(string name) => _topics.GetValueOrDefault(name);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        (IReadOnlyList<VersionedValue> values, long revision) = await _store.ListAsync(_keys.TopicsPrefix, cancellationToken).ConfigureAwait(false);
        foreach (VersionedValue value in values)
        {
            Apply(new MetadataChange(value.Key, value.Value, value.ModRevision, Deleted: false));
        }
        Interlocked.Exchange(ref _appliedRevision, revision);
        _watch = Task.Run(() => WatchLoopAsync(revision), CancellationToken.None);
    }

    /// <summary>The topic as the store has it now (not the local copy): for conflicts and read-modify-write.</summary>
    public async Task<VersionedTopic?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        VersionedValue? value = await _store.GetAsync(_keys.Topic(name), cancellationToken).ConfigureAwait(false);
        return value is { } v ? new VersionedTopic(TopicState.FromJson(v.Value), v.ModRevision) : null;
    }

    /// <summary>Every topic as the store has it now.</summary>
    public async Task<IReadOnlyList<VersionedTopic>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        (IReadOnlyList<VersionedValue> values, _) = await _store.ListAsync(_keys.TopicsPrefix, cancellationToken).ConfigureAwait(false);
        return values.Select(v => new VersionedTopic(TopicState.FromJson(v.Value), v.ModRevision)).ToArray();
    }

    /// <summary>Creates the topic if no topic of that name exists (false: it does).</summary>
    public Task<bool> TryCreateAsync(TopicState topic, CancellationToken cancellationToken = default)
        => _store.TryCommitAsync([new Guard(_keys.Topic(topic.Name), 0)], [new Write(_keys.Topic(topic.Name), topic.ToJson())], cancellationToken);

    /// <summary>Replaces the topic if it is still at <paramref name="expectedRevision"/>.</summary>
    public Task<bool> TryUpdateAsync(TopicState topic, long expectedRevision, CancellationToken cancellationToken = default)
        => _store.TryCommitAsync([new Guard(_keys.Topic(topic.Name), expectedRevision)], [new Write(_keys.Topic(topic.Name), topic.ToJson())], cancellationToken);

    public Task<bool> TryDeleteAsync(string name, long expectedRevision, CancellationToken cancellationToken = default)
        => _store.TryCommitAsync([new Guard(_keys.Topic(name), expectedRevision)], [new Write(_keys.Topic(name), null)], cancellationToken);

    /// <summary>The guard and write of a topic update, for a caller that commits it with more guards (the controller's epoch).</summary>
    public (Guard Guard, Write Write) UpdateOf(TopicState topic, long expectedRevision)
        => (new Guard(_keys.Topic(topic.Name), expectedRevision), new Write(_keys.Topic(topic.Name), topic.ToJson()));

    /// <summary>Waits (bounded) until the local copy has applied the store's revision <paramref name="revision"/> or later.</summary>
    public async Task<bool> WaitAppliedAsync(Func<IReadOnlyDictionary<string, VersionedTopic>, bool> condition, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!condition(_topics))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(10).ConfigureAwait(false);
        }
        return true;
    }

    private async Task WatchLoopAsync(long revision)
    {
        try
        {
            await foreach (MetadataChange change in _store.WatchAsync(_keys.TopicsPrefix, revision, _stop.Token).ConfigureAwait(false))
            {
                Apply(change);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _log.LogError(e, "Topic watch stopped");
        }
    }

    private void Apply(MetadataChange change)
    {
        string name = change.Key[_keys.TopicsPrefix.Length..];
        VersionedTopic? state = change.Deleted ? null : new VersionedTopic(TopicState.FromJson(change.Value), change.ModRevision);
        lock (_gate)
        {
            var next = new Dictionary<string, VersionedTopic>(_topics, StringComparer.Ordinal);
            if (state is null)
            {
                next.Remove(name);
            }
            else
            {
                next[name] = state;
            }
            _topics = next;
        }
        try
        {
            TopicChanged?.Invoke(name, state);
        }
        catch (Exception e)
        {
            _log.LogError(e, "Applying the change of topic {Topic} failed", name);
        }
        Interlocked.Exchange(ref _appliedRevision, Math.Max(AppliedRevision, change.ModRevision));
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _watch.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
