using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Rill.Broker.Config;

namespace Rill.Broker.Quotas;

/// <summary>Why a connection was not served.</summary>
internal enum ConnectionRefusal
{
    None,
    /// <summary>max.connections.per.ip (or its override) reached: closed at once, as Kafka's TooManyConnectionsException.</summary>
    PerIpLimit,
    /// <summary>The ip's connection_creation_rate quota (KIP-612) exceeded: closed after the throttle time.</summary>
    IpCreationRate,
}

/// <summary>
/// Kafka's ConnectionQuotas (KIP-402, KIP-612) for accepted connections, in Kafka's order: wait while
/// <c>max.connections</c> (broker) or <c>listener.name.&lt;l&gt;.max.connections</c> is reached (Kafka's
/// acceptor stops accepting; here the accepted connection waits unserved); record the broker and listener
/// connection creation rates and wait out their throttle (<c>max.connection.creation.rate</c>); record the
/// ip's <c>connection_creation_rate</c> quota and close the connection after its throttle time if exceeded;
/// then count the connection and close it at once if its ip already has <c>max.connections.per.ip</c>.
/// </summary>
internal sealed class ConnectionQuotas
{
    private readonly Func<BrokerConfig> _config;
    private readonly ClientQuotaConfigs _quotas;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly int _samples;
    private readonly long _windowMs;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, int> _perIp = [];
    private readonly Dictionary<string, int> _perListener = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QuotaSensor> _listenerRates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IPAddress, QuotaSensor> _ipRates = new();
    private readonly QuotaSensor _brokerRate;
    private TaskCompletionSource _slotFreed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConnectionLimits? _limits;
    private int _total;

    public ConnectionQuotas(Func<BrokerConfig> config, ClientQuotaConfigs quotas, TimeProvider time, ILogger log, int samples, long windowMs)
    {
        _config = config;
        _quotas = quotas;
        _time = time;
        _log = log;
        _samples = samples;
        _windowMs = windowMs;
        _brokerRate = new QuotaSensor(samples, windowMs, [new("quota.type", "ConnectionCreation"), new("listener", "")]);
    }

    public int Total
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    public IEnumerable<QuotaSensor> IpSensors => _ipRates.Values;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private ConnectionLimits Limits()
    {
        BrokerConfig config = _config();
        try
        {
            return _limits = ConnectionLimits.From(config, _limits);
        }
        catch (ConfigException e)
        {
            _log.LogWarning("max.connections.per.ip.overrides is ignored: {Reason}", e.Message);
            return _limits = ConnectionLimits.From(BrokerConfig.FromProperties(
                config.ExplicitValues.Where(p => p.Key != "max.connections.per.ip.overrides")), null);
        }
    }

    /// <summary>
    /// Admits one connection from <paramref name="address"/> on <paramref name="listener"/>, waiting as Kafka's
    /// acceptor would. Returns a slot to dispose when the connection ends, or null with the reason when the
    /// connection must be closed (after waiting out an ip throttle).
    /// </summary>
    public async ValueTask<(ConnectionSlot? Slot, ConnectionRefusal Refusal)> AcquireAsync(string? listener, IPAddress? address, CancellationToken cancel)
    {
        string listenerKey = listener ?? "";
        IPAddress ip = address is null ? IPAddress.None : ConnectionLimits.Normalize(address);
        bool blocked = false;
        while (true)
        {
            Task freed;
            lock (_lock)
            {
                ConnectionLimits limits = Limits();
                int onListener = _perListener.GetValueOrDefault(listenerKey);
                if (_total < limits.MaxConnections && onListener < limits.ListenerMaxConnections(listener))
                {
                    _total++;
                    _perListener[listenerKey] = onListener + 1;
                    break;
                }
                freed = _slotFreed.Task;
            }
            if (!blocked)
            {
                blocked = true;
                QuotaMeters.ConnectionsBlocked.Add(1);
            }
            // Re-check at least every 100 ms: max.connections may be raised dynamically.
            try
            {
                await freed.WaitAsync(TimeSpan.FromMilliseconds(100), _time, cancel).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
        var slot = new ConnectionSlot(this, listenerKey, null);
        try
        {
            long throttle = RecordCreation(listener);
            if (throttle > 0)
            {
                QuotaMeters.ConnectionAcceptThrottleTime.Record(throttle / 1000.0);
                await Task.Delay(TimeSpan.FromMilliseconds(throttle), _time, cancel).ConfigureAwait(false);
            }
            long ipThrottle = RecordIpCreation(ip);
            if (ipThrottle > 0)
            {
                QuotaMeters.ConnectionsRefused.Add(1, QuotaMeters.RefusedIpRate);
                slot.Dispose();
                slot = null;
                await Task.Delay(TimeSpan.FromMilliseconds(ipThrottle), _time, cancel).ConfigureAwait(false);
                return (null, ConnectionRefusal.IpCreationRate);
            }
            lock (_lock)
            {
                int count = _perIp.GetValueOrDefault(ip);
                _perIp[ip] = count + 1;
                slot.Ip = ip;
                if (count >= Limits().PerIpLimit(ip))
                {
                    QuotaMeters.ConnectionsRefused.Add(1, QuotaMeters.RefusedPerIp);
                    slot.Dispose();
                    slot = null;
                    return (null, ConnectionRefusal.PerIpLimit);
                }
            }
            var result = slot;
            slot = null;
            return (result, ConnectionRefusal.None);
        }
        finally
        {
            slot?.Dispose();
        }
    }

    /// <summary>Records one accepted connection on the broker and listener rates; returns the longer throttle.</summary>
    private long RecordCreation(string? listener)
    {
        ConnectionLimits limits = _limits ?? Limits();
        long now = NowMs;
        long throttle = 0;
        if (limits.MaxCreationRate != int.MaxValue)
        {
            throttle = _brokerRate.RecordAndGetThrottleMs(1, limits.MaxCreationRate, now);
        }
        int listenerRate = limits.ListenerMaxCreationRate(listener);
        if (listener is not null && listenerRate != int.MaxValue)
        {
            QuotaSensor sensor;
            lock (_lock)
            {
                if (!_listenerRates.TryGetValue(listener, out sensor!))
                {
                    _listenerRates[listener] = sensor = new QuotaSensor(_samples, _windowMs, [new("quota.type", "ConnectionCreation"), new("listener", listener)]);
                }
            }
            throttle = Math.Max(throttle, sensor.RecordAndGetThrottleMs(1, listenerRate, now));
        }
        return throttle;
    }

    /// <summary>The ip's connection_creation_rate (its own entity, else the default ip); 0 without one.</summary>
    private long RecordIpCreation(IPAddress ip)
    {
        if (!_quotas.HasKey(QuotaKeys.ConnectionCreationRate))
        {
            return 0;
        }
        string text = ip.ToString();
        if (!_quotas.TryGet(QuotaEntity.ForIp(text), QuotaKeys.ConnectionCreationRate, out double bound)
            && !_quotas.TryGet(QuotaEntity.ForIp(null), QuotaKeys.ConnectionCreationRate, out bound))
        {
            return 0;
        }
        QuotaSensor sensor = _ipRates.GetOrAdd(ip, static (a, self) => new QuotaSensor(self._samples, self._windowMs,
            [new("quota.type", "ConnectionCreation"), new("ip", a.ToString())]), this);
        long now = NowMs;
        long throttle = sensor.RecordAndGetThrottleMs(1, bound, now);
        if (throttle > 0)
        {
            sensor.Unrecord(1, now); // the connection is not accepted, so it does not count (as Kafka's ConnectionQuotas)
            sensor.AddThrottle(throttle);
        }
        return throttle;
    }

    internal void Release(string listener, IPAddress? ip)
    {
        TaskCompletionSource freed;
        lock (_lock)
        {
            _total--;
            _perListener[listener] = _perListener.GetValueOrDefault(listener) - 1;
            if (ip is not null)
            {
                int left = _perIp.GetValueOrDefault(ip) - 1;
                if (left <= 0)
                {
                    _perIp.Remove(ip);
                }
                else
                {
                    _perIp[ip] = left;
                }
            }
            freed = _slotFreed;
            _slotFreed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        freed.TrySetResult();
    }
}

/// <summary>One admitted connection's place in the counts; disposing it frees the place.</summary>
internal sealed class ConnectionSlot(ConnectionQuotas owner, string listener, IPAddress? ip) : IDisposable
{
    private int _released;

    public IPAddress? Ip { get; set; } = ip;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            owner.Release(listener, Ip);
        }
    }
}
