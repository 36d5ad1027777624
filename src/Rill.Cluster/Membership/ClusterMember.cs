using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Rill.Cluster.Store;

namespace Rill.Cluster.Membership;

/// <summary>
/// This broker's membership in a cluster whose metadata lives in the store: it creates the cluster id
/// when it is first to reach an empty prefix, registers itself under a lease (broker.session.timeout.ms;
/// when the lease expires the broker is fenced and its registration disappears), campaigns for the
/// controller key, and keeps a view of the registered brokers and the controller by watching the prefix
/// and applying changes in revision order.
/// </summary>
public sealed class ClusterMember : IAsyncDisposable
{
    private readonly IMetadataStore _store;
    private readonly ClusterKeys _keys;
    private readonly TimeSpan _sessionTimeout;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<int, BrokerInfo> _brokers = [];
    private readonly object _gate = new();
    private readonly SemaphoreSlim _campaign = new(1, 1);
    private IMetadataLease? _lease;
    private Task _watch = Task.CompletedTask;
    private Task _sessionLoop = Task.CompletedTask;
    private volatile BrokerInfo[] _snapshot = [];
    private volatile ControllerInfo? _controller;
    private long _myEpoch = -1;
    private long _myEpochRevision;
    private long _registrationRevision;
    private TaskCompletionSource _registrationDeleted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<IAsyncDisposable> _companions = [];

    public ClusterMember(IMetadataStore store, string prefix, BrokerInfo self, TimeSpan sessionTimeout, ILogger log)
    {
        _store = store;
        _keys = new ClusterKeys(prefix);
        Self = self;
        _sessionTimeout = sessionTimeout;
        _log = log;
    }

    public BrokerInfo Self { get; private set; }
    public string ClusterId { get; private set; } = "";

    /// <summary>The registered (live) brokers, by id.</summary>
    public IReadOnlyList<BrokerInfo> Brokers => _snapshot;

    /// <summary>The active controller's broker id, or -1 while there is none.</summary>
    public int ControllerId => _controller?.BrokerId ?? -1;

    public long ControllerEpoch => _controller?.Epoch ?? -1;

    public bool IsController => _controller is { } c && c.BrokerId == Self.Id && c.Epoch == Interlocked.Read(ref _myEpoch);

    /// <summary>Raised (on the watch task) after the broker set or the controller changed.</summary>
    public event Action? Changed;

    /// <summary>Joins: cluster id, registration, the watch, and a first campaign. Throws when node.id is taken.</summary>
    public async Task StartAsync(BrokerInfo self, CancellationToken cancellationToken = default)
    {
        Self = self;
        ClusterId = await GetOrCreateClusterIdAsync(cancellationToken).ConfigureAwait(false);
        await RegisterAsync(cancellationToken).ConfigureAwait(false);
        (IReadOnlyList<VersionedValue> values, long revision) = await _store.ListAsync(_keys.All, cancellationToken).ConfigureAwait(false);
        foreach (VersionedValue value in values)
        {
            Apply(new MetadataChange(value.Key, value.Value, value.ModRevision, Deleted: false));
        }
        Publish();
        _watch = Task.Run(() => WatchLoopAsync(revision), CancellationToken.None);
        _sessionLoop = Task.Run(SessionLoopAsync, CancellationToken.None);
        if (_controller is null)
        {
            await CampaignAsync(_stop.Token).ConfigureAwait(false);
        }
    }

    private async Task<string> GetOrCreateClusterIdAsync(CancellationToken cancellationToken)
    {
        string candidate = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        if (await _store.TryCommitAsync([new Guard(_keys.ClusterId, 0)], [new Write(_keys.ClusterId, Encoding.UTF8.GetBytes(candidate))], cancellationToken).ConfigureAwait(false))
        {
            _log.LogInformation("Created cluster {ClusterId} under {Prefix}", candidate, _keys.Prefix);
            return candidate;
        }
        VersionedValue existing = await _store.GetAsync(_keys.ClusterId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("cluster id vanished from the metadata store");
        return Encoding.UTF8.GetString(existing.Value);
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        IMetadataLease lease = await _store.GrantLeaseAsync(_sessionTimeout, cancellationToken).ConfigureAwait(false);
        string key = _keys.Broker(Self.Id);
        // A registration left by a previous run of this broker expires with its session; wait for it (bounded).
        DateTime deadline = DateTime.UtcNow + _sessionTimeout + TimeSpan.FromSeconds(2);
        while (!await _store.TryCommitAsync([new Guard(key, 0)], [new Write(key, Self.ToJson(), lease.Id)], cancellationToken).ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                await lease.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"node.id {Self.Id} is already registered in cluster {ClusterId} by a live broker");
            }
            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
        // The revision of this registration: a later delete of the key is this registration's end (fenced).
        VersionedValue? registered = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _registrationRevision, registered?.ModRevision ?? long.MaxValue);
        _registrationDeleted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lease = lease;
        _log.LogInformation("Registered broker {Id} in cluster {ClusterId} (session {Session} ms)", Self.Id, ClusterId, (int)_sessionTimeout.TotalMilliseconds);
    }

    /// <summary>When the session lease is lost the broker is fenced: it stops acting as controller and registers again.</summary>
    private async Task SessionLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            IMetadataLease lease = _lease!;
            Task deleted = _registrationDeleted.Task;
            await Task.WhenAny(lease.Lost, deleted, Task.Delay(Timeout.Infinite, _stop.Token)).ConfigureAwait(false);
            if (_stop.IsCancellationRequested)
            {
                return;
            }
            if (lease.Lost.IsCompleted)
            {
                _log.LogWarning("Broker {Id} lost its session lease; fenced until it registers again", Self.Id);
            }
            else
            {
                // The session expired in the store (seen through the watch before the keep-alive noticed), or another
                // broker found this one's port refusing connections (FastFailureDetector) and deleted the registration.
                _log.LogWarning("Broker {Id}'s registration was deleted (session expired, or fenced by another broker); fenced until it registers again", Self.Id);
            }
            Interlocked.Exchange(ref _myEpoch, -1);
            await lease.DisposeAsync().ConfigureAwait(false);
            try
            {
                await RegisterAsync(_stop.Token).ConfigureAwait(false);
                await CampaignAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _log.LogError(e, "Re-registration failed; retrying");
                _lease = await RetryLeaseAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<IMetadataLease> RetryLeaseAsync()
    {
        while (true)
        {
            try
            {
                await Task.Delay(1000, _stop.Token).ConfigureAwait(false);
                IMetadataLease lease = await _store.GrantLeaseAsync(_sessionTimeout, _stop.Token).ConfigureAwait(false);
                await lease.DisposeAsync().ConfigureAwait(false);
                await RegisterAsync(_stop.Token).ConfigureAwait(false);
                return _lease!;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _log.LogWarning("Metadata store unreachable: {Message}", e.Message);
            }
        }
    }

    /// <summary>
    /// Tries to become the controller: creates the lease-held controller key and bumps controller_epoch in
    /// one transaction guarded on both (so two campaigners cannot both win one epoch).
    /// </summary>
    public async Task<bool> CampaignAsync(CancellationToken cancellationToken)
    {
        await _campaign.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            VersionedValue? epochValue = await _store.GetAsync(_keys.ControllerEpoch, cancellationToken).ConfigureAwait(false);
            long epoch = epochValue is { } v ? long.Parse(Encoding.UTF8.GetString(v.Value), CultureInfo.InvariantCulture) : 0;
            long next = epoch + 1;
            bool won = await _store.TryCommitAsync(
                [new Guard(_keys.Controller, 0), new Guard(_keys.ControllerEpoch, epochValue?.ModRevision ?? 0)],
                [new Write(_keys.Controller, new ControllerInfo(Self.Id, next).ToJson(), _lease!.Id),
                 new Write(_keys.ControllerEpoch, Encoding.UTF8.GetBytes(next.ToString(CultureInfo.InvariantCulture)))],
                cancellationToken).ConfigureAwait(false);
            if (!won)
            {
                return false;
            }
            VersionedValue? written = await _store.GetAsync(_keys.ControllerEpoch, cancellationToken).ConfigureAwait(false);
            if (written is not { } w || Encoding.UTF8.GetString(w.Value) != next.ToString(CultureInfo.InvariantCulture))
            {
                return false; // already deposed
            }
            Interlocked.Exchange(ref _myEpochRevision, w.ModRevision);
            Interlocked.Exchange(ref _myEpoch, next);
            _log.LogInformation("Broker {Id} is the active controller (epoch {Epoch})", Self.Id, next);
            return true;
        }
        finally
        {
            _campaign.Release();
        }
    }

    /// <summary>
    /// A controller write: committed only while controller_epoch is still the one this broker won, so a
    /// deposed controller (paused, partitioned, lease expired) cannot overwrite its successor's decisions.
    /// </summary>
    public Task<bool> ControllerCommitAsync(IReadOnlyList<Guard> guards, IReadOnlyList<Write> writes, CancellationToken cancellationToken = default)
    {
        long revision = Interlocked.Read(ref _myEpochRevision);
        if (Interlocked.Read(ref _myEpoch) < 0 || revision == 0)
        {
            return Task.FromResult(false);
        }
        return _store.TryCommitAsync([.. guards, new Guard(_keys.ControllerEpoch, revision)], writes, cancellationToken);
    }

    /// <summary>The id of this broker's session lease (0 before it registered), for keys that must go when the broker does.</summary>
    public long LeaseId => _lease?.Id ?? 0;

    /// <summary>The store itself, for components that keep their own keys under <see cref="Keys"/>.</summary>
    public IMetadataStore Store => _store;
    public ClusterKeys Keys => _keys;

    private async Task WatchLoopAsync(long revision)
    {
        try
        {
            await foreach (MetadataChange change in _store.WatchAsync(_keys.All, revision, _stop.Token).ConfigureAwait(false))
            {
                bool controllerGone = Apply(change);
                Publish();
                if (controllerGone)
                {
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            await CampaignAsync(_stop.Token).ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            _log.LogWarning("Controller campaign failed: {Message}", e.Message);
                        }
                    });
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _log.LogError(e, "Metadata watch stopped");
        }
    }

    /// <summary>Applies one change; true when the controller key was deleted (time to campaign).</summary>
    private bool Apply(MetadataChange change)
    {
        if (change.Key.StartsWith(_keys.BrokersPrefix, StringComparison.Ordinal)
            && int.TryParse(change.Key.AsSpan(_keys.BrokersPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            lock (_gate)
            {
                if (change.Deleted)
                {
                    _brokers.Remove(id);
                    if (id == Self.Id && change.ModRevision > Interlocked.Read(ref _registrationRevision))
                    {
                        _registrationDeleted.TrySetResult();
                    }
                }
                else
                {
                    _brokers[id] = BrokerInfo.FromJson(change.Value);
                }
            }
            return false;
        }
        if (change.Key == _keys.Controller)
        {
            if (change.Deleted)
            {
                _controller = null;
                Interlocked.Exchange(ref _myEpoch, -1);
                return true;
            }
            _controller = ControllerInfo.FromJson(change.Value);
        }
        return false;
    }

    private void Publish()
    {
        lock (_gate)
        {
            _snapshot = _brokers.Values.OrderBy(b => b.Id).ToArray();
        }
        Changed?.Invoke();
    }

    /// <summary>Something that lives as long as the membership (a failure detector); disposed first when leaving.</summary>
    public void AddCompanion(IAsyncDisposable companion)
    {
        lock (_companions)
        {
            _companions.Add(companion);
        }
    }

    /// <summary>Leaves: revokes the session lease, so the registration and a held controller key go at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        IAsyncDisposable[] companions;
        lock (_companions)
        {
            companions = [.. _companions];
        }
        foreach (IAsyncDisposable companion in companions)
        {
            await companion.DisposeAsync().ConfigureAwait(false);
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_watch, _sessionLoop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        if (_lease is not null)
        {
            await _lease.DisposeAsync().ConfigureAwait(false);
        }
        _stop.Dispose();
    }
}
