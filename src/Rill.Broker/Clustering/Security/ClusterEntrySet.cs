using Microsoft.Extensions.Logging;
using Rill.Cluster.Store;

namespace Rill.Broker.Clustering.Security;

/// <summary>
/// One kind of security metadata (SCRAM credentials, ACLs, client quotas) in the cluster metadata store:
/// one key per entry under a prefix, the value the entry's JSON. Every broker keeps a copy of the keys,
/// filled by a listing at <see cref="AttachAsync"/> and kept current by a watch; <see cref="Changed"/> tells
/// the owner to reload.
/// <para>
/// The owners' stores persist by "replace everything with this set". <see cref="Save"/> turns that into the
/// difference from the set the owner last loaded or saved (keys to put, keys to delete), so a change made
/// through another broker that this owner has not loaded yet is never overwritten or deleted. The
/// difference is written in one transaction guarded by the revisions this broker has seen of those keys
/// (compare-and-swap); when another broker changed one of them in between, the keys are listed again and
/// the same difference is retried on the new revisions (the later writer of an entry wins, as in Kafka).
/// </para>
/// </summary>
internal sealed class ClusterEntrySet
{
    private const int MaxAttempts = 20;
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(15);
    private readonly string _name;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private Dictionary<string, VersionedValue> _cache = new(StringComparer.Ordinal);
    private Dictionary<string, byte[]> _base = new(StringComparer.Ordinal);
    private IMetadataStore? _store;
    private string _prefix = "";

    public ClusterEntrySet(string name, ILogger log)
    {
        _name = name;
        _log = log;
    }

    /// <summary>Raised (on the watch's thread) after changes from the store were applied to the copy.</summary>
    public event Action? Changed;

    public bool Attached => _store is not null;

    /// <summary>Lists every entry under <paramref name="prefix"/> and watches later changes until <paramref name="stop"/>.</summary>
    public async Task AttachAsync(IMetadataStore store, string prefix, CancellationToken stop)
    {
        var (values, revision) = await store.ListAsync(prefix, stop).ConfigureAwait(false);
        lock (_lock)
        {
            _cache = values.ToDictionary(v => v.Key, StringComparer.Ordinal);
            _prefix = prefix;
            _store = store;
        }
        _ = Task.Run(() => WatchLoopAsync(store, prefix, revision, stop), CancellationToken.None);
    }

    /// <summary>Every entry now (key suffix after the prefix, value); also what the next <see cref="Save"/> is compared with.</summary>
    public IReadOnlyDictionary<string, byte[]> Load()
    {
        lock (_lock)
        {
            _base = _cache.ToDictionary(e => e.Key[_prefix.Length..], e => e.Value.Value, StringComparer.Ordinal);
            return _base;
        }
    }

    /// <summary>Writes the difference between <paramref name="next"/> and the set last loaded or saved, before returning.</summary>
    public void Save(IReadOnlyDictionary<string, byte[]> next)
    {
        IMetadataStore store = _store ?? throw new InvalidOperationException($"The {_name} are in the cluster metadata store and this broker has not joined the cluster yet.");
        Dictionary<string, byte[]> previous;
        lock (_lock)
        {
            previous = _base;
        }
        var puts = next.Where(e => !previous.TryGetValue(e.Key, out byte[]? old) || !old.AsSpan().SequenceEqual(e.Value))
            .Select(e => (Key: _prefix + e.Key, Value: (byte[]?)e.Value));
        var deletes = previous.Keys.Where(k => !next.ContainsKey(k)).Select(k => (Key: _prefix + k, Value: (byte[]?)null));
        var changes = puts.Concat(deletes).ToList();
        if (changes.Count > 0)
        {
            using var timeout = new CancellationTokenSource(WriteTimeout);
            // Handlers persist synchronously (as the file stores do); this runs on the thread pool, not a handler's thread.
            Task.Run(() => CommitAsync(store, changes, timeout.Token), CancellationToken.None).GetAwaiter().GetResult();
        }
        lock (_lock)
        {
            _base = new Dictionary<string, byte[]>(next, StringComparer.Ordinal);
        }
    }

    private async Task CommitAsync(IMetadataStore store, List<(string Key, byte[]? Value)> changes, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            List<Guard> guards;
            lock (_lock)
            {
                guards = changes.Select(c => new Guard(c.Key, _cache.TryGetValue(c.Key, out VersionedValue seen) ? seen.ModRevision : 0)).ToList();
            }
            var writes = changes.Select(c => new Write(c.Key, c.Value)).ToList();
            if (await store.TryCommitAsync(guards, writes, cancellationToken).ConfigureAwait(false))
            {
                await RefreshAsync(store, cancellationToken).ConfigureAwait(false);
                return;
            }
            _log.LogDebug("The {Name} changed in the metadata store during a write; retrying on the new revisions", _name);
            await RefreshAsync(store, cancellationToken).ConfigureAwait(false);
        }
        throw new InvalidOperationException($"Could not write the {_name}: the metadata store kept changing.");
    }

    /// <summary>Re-reads the prefix (linearizable), so the copy includes this broker's own write before Save returns.</summary>
    private async Task RefreshAsync(IMetadataStore store, CancellationToken cancellationToken)
    {
        var (values, _) = await store.ListAsync(_prefix, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            var next = values.ToDictionary(v => v.Key, StringComparer.Ordinal);
            // Keep anything the watch already delivered that is newer than this listing.
            foreach (var (key, value) in _cache)
            {
                if (next.TryGetValue(key, out VersionedValue listed) && listed.ModRevision < value.ModRevision)
                {
                    next[key] = value;
                }
            }
            _cache = next;
        }
    }

    private async Task WatchLoopAsync(IMetadataStore store, string prefix, long revision, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await foreach (MetadataChange change in store.WatchAsync(prefix, revision, stop).ConfigureAwait(false))
                {
                    lock (_lock)
                    {
                        var next = new Dictionary<string, VersionedValue>(_cache, StringComparer.Ordinal);
                        if (change.Deleted)
                        {
                            next.Remove(change.Key);
                        }
                        else if (!next.TryGetValue(change.Key, out VersionedValue known) || known.ModRevision < change.ModRevision)
                        {
                            next[change.Key] = new VersionedValue(change.Key, change.Value, change.ModRevision);
                        }
                        _cache = next;
                    }
                    revision = Math.Max(revision, change.ModRevision);
                    RaiseChanged();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _log.LogWarning("The watch of the {Name} in the metadata store failed ({Reason}); listing again", _name, e.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
                    var (values, listed) = await store.ListAsync(prefix, stop).ConfigureAwait(false);
                    lock (_lock)
                    {
                        _cache = values.ToDictionary(v => v.Key, StringComparer.Ordinal);
                    }
                    revision = listed;
                    RaiseChanged();
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception again)
                {
                    _log.LogWarning("Listing the {Name} failed: {Reason}", _name, again.Message);
                }
            }
        }
    }

    private void RaiseChanged()
    {
        try
        {
            Changed?.Invoke();
        }
        catch (Exception e)
        {
            _log.LogError(e, "Applying a change of the {Name} from the metadata store failed", _name);
        }
    }
}
