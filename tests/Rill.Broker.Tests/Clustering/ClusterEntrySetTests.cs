using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Broker.Clustering.Security;
using Rill.Cluster.Store;

namespace Rill.Broker.Tests.Clustering;

public class ClusterEntrySetTests
{
    /// <summary>An in-process metadata store with etcd's semantics for what ClusterEntrySet uses (revisions, guarded transactions, prefix watches).</summary>
    internal sealed class MemoryStore : IMetadataStore
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, VersionedValue> _keys = new(StringComparer.Ordinal);
        private readonly List<Channel<MetadataChange>> _watchers = [];
        private readonly List<MetadataChange> _history = [];
        private long _revision;

        /// <summary>Watches started so far.</summary>
        public int Watchers
        {
            get
            {
                lock (_lock)
                {
                    return _watchers.Count;
                }
            }
        }

        public IReadOnlyDictionary<string, string> Snapshot()
        {
            lock (_lock)
            {
                return _keys.ToDictionary(k => k.Key, k => Encoding.UTF8.GetString(k.Value.Value));
            }
        }

        public Task<VersionedValue?> GetAsync(string key, CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                return Task.FromResult<VersionedValue?>(_keys.TryGetValue(key, out VersionedValue v) ? v : null);
            }
        }

        public Task<(IReadOnlyList<VersionedValue> Values, long Revision)> ListAsync(string prefix, CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                return Task.FromResult<(IReadOnlyList<VersionedValue>, long)>((_keys.Values.Where(v => v.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList(), _revision));
            }
        }

        public Task<bool> TryCommitAsync(IReadOnlyList<Guard> guards, IReadOnlyList<Write> writes, CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                if (guards.Any(g => (_keys.TryGetValue(g.Key, out VersionedValue v) ? v.ModRevision : 0) != g.ExpectedModRevision))
                {
                    return Task.FromResult(false);
                }
                long revision = ++_revision;
                foreach (Write write in writes)
                {
                    MetadataChange change;
                    if (write.Value is null)
                    {
                        if (!_keys.Remove(write.Key))
                        {
                            continue;
                        }
                        change = new MetadataChange(write.Key, [], revision, true);
                    }
                    else
                    {
                        _keys[write.Key] = new VersionedValue(write.Key, write.Value, revision);
                        change = new MetadataChange(write.Key, write.Value, revision, false);
                    }
                    _history.Add(change);
                    foreach (var watcher in _watchers)
                    {
                        watcher.Writer.TryWrite(change);
                    }
                }
                return Task.FromResult(true);
            }
        }

        public Task<IMetadataLease> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public async IAsyncEnumerable<MetadataChange> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            // As etcd: a watch from a revision first replays the changes made after it, so a watch that starts late
            // (its loop runs on the thread pool) misses nothing.
            var channel = Channel.CreateUnbounded<MetadataChange>();
            lock (_lock)
            {
                foreach (MetadataChange past in _history)
                {
                    channel.Writer.TryWrite(past);
                }
                _watchers.Add(channel);
            }
            await foreach (MetadataChange change in channel.Reader.ReadAllAsync(cancellationToken))
            {
                if (change.ModRevision > afterRevision && change.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    yield return change;
                }
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static Dictionary<string, byte[]> Entries(params string[] keys) => keys.ToDictionary(k => k, k => Encoding.UTF8.GetBytes("v-" + k), StringComparer.Ordinal);

    [Fact]
    public async Task A_save_writes_only_its_difference_so_a_change_made_through_another_broker_is_not_lost()
    {
        var store = new MemoryStore();
        using var stop = new CancellationTokenSource();
        var first = new ClusterEntrySet("ACLs", NullLogger.Instance);
        var second = new ClusterEntrySet("ACLs", NullLogger.Instance);
        int secondChanges = 0;
        second.Changed += () => Interlocked.Increment(ref secondChanges);
        await first.AttachAsync(store, "/c/security/acls/", stop.Token);
        await second.AttachAsync(store, "/c/security/acls/", stop.Token);
        Assert.Empty(first.Load());
        Assert.Empty(second.Load());

        first.Save(Entries("x"));
        second.Save(Entries("y")); // based on the empty set it loaded: adds y, must not delete x
        Assert.Equal(["/c/security/acls/x", "/c/security/acls/y"], store.Snapshot().Keys.Order());

        await Eventually.TrueAsync(() => second.Load().Count == 2 && Volatile.Read(ref secondChanges) >= 1, "the second broker sees the first broker's entry");
        second.Save(Entries("x")); // deletes y (its own), keeps x
        Assert.Equal(["/c/security/acls/x"], store.Snapshot().Keys);

        first.Save(new Dictionary<string, byte[]> { ["x"] = "changed"u8.ToArray() }); // first last loaded nothing: x is a put guarded by the revision it saw
        Assert.Equal("changed", store.Snapshot()["/c/security/acls/x"]);
        stop.Cancel();
    }

    [Fact]
    public void Saving_before_the_broker_joined_the_cluster_is_refused() =>
        Assert.Throws<InvalidOperationException>(() => new ClusterEntrySet("SCRAM credentials", NullLogger.Instance).Save(Entries("a")));
}
