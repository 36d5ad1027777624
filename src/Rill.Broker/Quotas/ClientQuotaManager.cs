using System.Collections.Concurrent;

namespace Rill.Broker.Quotas;

/// <summary>
/// One client quota type (produce bytes, fetch bytes or request time) over the configured entities.
/// The quota of a (user, client id) is the first one configured in Kafka's precedence order (KIP-55):
/// <c>/users/u/clients/c</c>, <c>/users/u/clients/&lt;default&gt;</c>, <c>/users/u</c>,
/// <c>/users/&lt;default&gt;/clients/c</c>, <c>/users/&lt;default&gt;/clients/&lt;default&gt;</c>,
/// <c>/users/&lt;default&gt;</c>, <c>/clients/c</c>, <c>/clients/&lt;default&gt;</c>. The rate is
/// shared by every connection with the same metric tags, as in Kafka: a quota on a user (or the default
/// user) is shared by all that user's client ids; a quota on a (user, client id) or a client id is per
/// client id. With no quota of this type configured anywhere nothing is recorded.
/// </summary>
internal sealed class ClientQuotaManager
{
    private readonly ClientQuotaConfigs _configs;
    private readonly ConcurrentDictionary<(string User, string Client), QuotaSensor> _sensors = new();
    private readonly int _samples;
    private readonly long _windowMs;
    private readonly long _maxThrottleMs;

    /// <param name="maxThrottleMs">Kafka bounds request-time throttles to one window; byte-rate throttles are not bounded.</param>
    public ClientQuotaManager(ClientQuotaConfigs configs, string key, string quotaType, int samples, long windowMs, long maxThrottleMs)
    {
        _configs = configs;
        Key = key;
        QuotaType = quotaType;
        _samples = samples;
        _windowMs = windowMs;
        _maxThrottleMs = maxThrottleMs;
    }

    /// <summary>producer_byte_rate, consumer_byte_rate or request_percentage.</summary>
    public string Key { get; }

    /// <summary>Produce, Fetch or Request (Kafka's metric group).</summary>
    public string QuotaType { get; }

    /// <summary>The longest throttle this quota hands out (one window for request time, unbounded for byte rates).</summary>
    public long MaxThrottleMs => _maxThrottleMs;

    public ICollection<QuotaSensor> Sensors => _sensors.Values;

    /// <summary>True when some entity has this quota configured.</summary>
    public bool Enabled => _configs.HasKey(Key);

    /// <summary>The quota that applies to (<paramref name="user"/>, <paramref name="clientId"/>) and the tags its rate is kept under.</summary>
    public bool TryResolve(string user, string clientId, out double bound, out string tagUser, out string tagClient)
    {
        tagUser = user;
        tagClient = clientId;
        var u = new EntityName(user);
        var c = new EntityName(clientId);
        var d = EntityName.Default;
        if (Get(new QuotaEntity(u, c, null), out bound) || Get(new QuotaEntity(u, d, null), out bound))
        {
            return true;
        }
        if (Get(new QuotaEntity(u, null, null), out bound))
        {
            tagClient = "";
            return true;
        }
        if (Get(new QuotaEntity(d, c, null), out bound) || Get(new QuotaEntity(d, d, null), out bound))
        {
            return true;
        }
        if (Get(new QuotaEntity(d, null, null), out bound))
        {
            tagClient = "";
            return true;
        }
        tagUser = "";
        return Get(new QuotaEntity(null, c, null), out bound) || Get(new QuotaEntity(null, d, null), out bound);
    }

    private bool Get(QuotaEntity entity, out double bound) => _configs.TryGet(entity, Key, out bound);

    /// <summary>The sensor of (<paramref name="user"/>, <paramref name="clientId"/>) and its bound; null when no quota applies.</summary>
    public QuotaSensor? Find(string user, string clientId, out double bound)
    {
        bound = double.PositiveInfinity;
        if (!Enabled || !TryResolve(user, clientId, out bound, out string tagUser, out string tagClient))
        {
            return null;
        }
        return _sensors.GetOrAdd((tagUser, tagClient), static (key, self) => new QuotaSensor(self._samples, self._windowMs,
            [new("quota.type", self.QuotaType), new("user", key.User), new("client-id", key.Client)]), this);
    }

    /// <summary>Records <paramref name="value"/> for the client and returns its throttle time in ms (0: within quota or no quota).</summary>
    public long RecordAndGetThrottleMs(string user, string clientId, double value, long nowMs)
    {
        QuotaSensor? sensor = Find(user, clientId, out double bound);
        return sensor is null ? 0 : sensor.RecordAndGetThrottleMs(value, bound, nowMs, _maxThrottleMs);
    }

    /// <summary>The most one response may carry for the client (Kafka limits fetch sizes to this); int.MaxValue without a quota.</summary>
    public int MaxValueInQuotaWindow(string user, string clientId)
    {
        QuotaSensor? sensor = Find(user, clientId, out double bound);
        return sensor is null ? int.MaxValue : (int)Math.Clamp(sensor.MaxValueInQuotaWindow(bound), 1, int.MaxValue);
    }
}
