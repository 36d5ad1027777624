using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Rill.Cluster.Store;

namespace Rill.Cluster.Membership;

/// <summary>What a TCP connect to a broker's registered address found.</summary>
public enum ProbeResult
{
    /// <summary>The connection was accepted (the process may still be paused: the kernel accepts for it).</summary>
    Accepted,

    /// <summary>Connection refused: nothing listens on the port, the process is gone.</summary>
    Refused,

    /// <summary>Timeout or any other error: nothing is concluded (a slow or partitioned broker waits for its session).</summary>
    Unknown,
}

/// <summary>
/// Fast failure detection, so a crashed broker's partitions do not wait a whole broker.session.timeout.ms
/// (9 s by default) for its lease to expire. Every broker probes every other registered broker's advertised
/// port with a TCP connect each interval. A port that accepted before and now refuses connections on two probes
/// in a row (the process is gone: kill -9, crash) gets its broker fenced at once: its registration (and the controller key, when
/// it held it) is deleted from the store in one transaction guarded on the key revisions just read, so a
/// broker that has registered again meanwhile is never touched and the fenced one cannot come back without
/// registering again. The controller then elects new leaders as for an expired session. A paused or
/// partitioned broker still accepts (or times out) connections: nothing is concluded, its session decides.
/// Several brokers may race to fence the same one; the guards let exactly one transaction apply.
/// </summary>
public sealed class FastFailureDetector : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);
    private readonly ClusterMember _member;
    private readonly TimeSpan _interval;
    private readonly ILogger _log;
    private readonly Func<BrokerInfo, CancellationToken, Task<ProbeResult>> _probe;
    private readonly Dictionary<int, int> _strikes = [];
    private readonly HashSet<BrokerInfo> _seenAccepting = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public FastFailureDetector(ClusterMember member, TimeSpan interval, ILogger log,
        Func<BrokerInfo, CancellationToken, Task<ProbeResult>>? probe = null)
    {
        _member = member;
        _interval = interval;
        _log = log;
        _probe = probe ?? ProbeAsync;
    }

    /// <summary>Refused probes in a row before a broker is fenced.</summary>
    public int StrikesToFence { get; init; } = 2;

    /// <summary>Brokers this detector fenced (for logs and tests).</summary>
    public int Fenced { get; private set; }

    public void Start() => _loop = Task.Run(LoopAsync, CancellationToken.None);

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                await ProbeAllAsync(_stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One round: probes every other registered broker (in parallel) and fences those refused often enough.</summary>
    public async Task ProbeAllAsync(CancellationToken cancellationToken)
    {
        BrokerInfo[] others = _member.Brokers.Where(b => b.Id != _member.Self.Id).ToArray();
        ProbeResult[] results = await Task.WhenAll(others.Select(b => _probe(b, cancellationToken))).ConfigureAwait(false);
        foreach (int gone in _strikes.Keys.Where(id => others.All(b => b.Id != id)).ToArray())
        {
            _strikes.Remove(gone);
        }
        _seenAccepting.RemoveWhere(b => !others.Contains(b));
        for (int i = 0; i < others.Length; i++)
        {
            BrokerInfo broker = others[i];
            if (results[i] == ProbeResult.Accepted)
            {
                _seenAccepting.Add(broker);
            }
            // Only an address this broker has seen accepting can be concluded dead: an advertised address other
            // brokers cannot reach at all (NAT, another network) would otherwise be fenced over and over.
            int strikes = results[i] == ProbeResult.Refused && _seenAccepting.Contains(broker) ? _strikes.GetValueOrDefault(broker.Id) + 1 : 0;
            _strikes[broker.Id] = strikes;
            if (strikes >= StrikesToFence)
            {
                try
                {
                    if (await TryFenceAsync(broker, cancellationToken).ConfigureAwait(false))
                    {
                        _strikes.Remove(broker.Id);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _log.LogWarning("Could not fence broker {Id}: {Message}", broker.Id, e.Message);
                }
            }
        }
    }

    /// <summary>
    /// Deletes the broker's registration (and the controller key if it is the controller), guarded on the revisions
    /// read here, after one more refused probe taken after that read: the registration read is the dead process's
    /// (a new process binds its listener before it registers, so it would have accepted the probe).
    /// </summary>
    private async Task<bool> TryFenceAsync(BrokerInfo broker, CancellationToken cancellationToken)
    {
        IMetadataStore store = _member.Store;
        ClusterKeys keys = _member.Keys;
        VersionedValue? registration = await store.GetAsync(keys.Broker(broker.Id), cancellationToken).ConfigureAwait(false);
        if (registration is not { } reg || BrokerInfo.FromJson(reg.Value) != broker)
        {
            return true; // already gone, or registered again at another address: nothing to fence
        }
        VersionedValue? controller = await store.GetAsync(keys.Controller, cancellationToken).ConfigureAwait(false);
        if (await _probe(broker, cancellationToken).ConfigureAwait(false) != ProbeResult.Refused)
        {
            return false;
        }
        List<Guard> guards = [new Guard(reg.Key, reg.ModRevision)];
        List<Write> writes = [new Write(reg.Key, null)];
        if (controller is { } c && ControllerInfo.FromJson(c.Value).BrokerId == broker.Id)
        {
            guards.Add(new Guard(c.Key, c.ModRevision));
            writes.Add(new Write(c.Key, null));
        }
        if (!await store.TryCommitAsync(guards, writes, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        Fenced++;
        _log.LogWarning("Broker {Id} refuses connections at {Host}:{Port}: fenced (registration{Controller} deleted) without waiting for its session",
            broker.Id, broker.Host, broker.Port, writes.Count > 1 ? " and controller key" : "");
        return true;
    }

    /// <summary>A TCP connect to the broker's registered address, closed at once.</summary>
    public static async Task<ProbeResult> ProbeAsync(BrokerInfo broker, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await socket.ConnectAsync(broker.Host, broker.Port, timeout.Token).ConfigureAwait(false);
            return ProbeResult.Accepted;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return ProbeResult.Refused;
        }
        catch (SocketException)
        {
            return ProbeResult.Unknown;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Unknown;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
