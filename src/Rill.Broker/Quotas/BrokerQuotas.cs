using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Rill.Broker.Config;
using Rill.Broker.Handlers;
using Rill.Broker.Metrics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Quotas;

/// <summary>
/// The broker's client quotas (KIP-13 byte rates, KIP-124 request time) and connection quotas
/// (KIP-402, KIP-612). <see cref="Apply"/> runs after each request's handler: it records the request
/// against the client's quotas, sets throttle_time_ms in the response and returns how long the
/// connection must then stay muted (KIP-219: respond first, then throttle).
/// </summary>
internal sealed class BrokerQuotas : IDisposable
{
    private const string AnonymousUser = "ANONYMOUS";
    private readonly TimeProvider _time;
    private readonly Meter _meter;

    public BrokerQuotas(BrokerConfig config, Func<BrokerConfig> current, IClientQuotaStore store, TimeProvider time, ILogger log)
    {
        _time = time;
        int samples = int.Parse(config.GetString("quota.window.num") ?? "11", CultureInfo.InvariantCulture);
        long windowMs = 1000L * int.Parse(config.GetString("quota.window.size.seconds") ?? "1", CultureInfo.InvariantCulture);
        Configs = new ClientQuotaConfigs(store);
        Produce = new ClientQuotaManager(Configs, QuotaKeys.ProducerByteRate, "Produce", samples, windowMs, long.MaxValue);
        Fetch = new ClientQuotaManager(Configs, QuotaKeys.ConsumerByteRate, "Fetch", samples, windowMs, long.MaxValue);
        Request = new ClientQuotaManager(Configs, QuotaKeys.RequestPercentage, "Request", samples, windowMs, windowMs);
        Connections = new ConnectionQuotas(current, Configs, time, log, samples, windowMs);
        _meter = new Meter(BrokerMeters.StateMeterName);
        _meter.CreateObservableGauge("rill.quota.rate", () => Measure(s => s.Rate(NowMs)), "{unit}/s",
            "Current rate per quota sensor: bytes/s for Produce and Fetch, percent of one thread for Request, connections/s for ConnectionCreation (Kafka: byte-rate, request-time per user/client-id)");
        _meter.CreateObservableGauge("rill.quota.bound", () => Measure(s => s.Bound), "{unit}/s",
            "The quota applied to each sensor (Kafka: the quota metric's bound)");
        _meter.CreateObservableCounter("rill.quota.throttle.total", () => Measure(s => s.ThrottleMsTotal / 1000.0), "s",
            "Total throttle time handed out per quota sensor");
    }

    public TimeProvider Time => _time;
    public ClientQuotaConfigs Configs { get; }
    public ClientQuotaManager Produce { get; }
    public ClientQuotaManager Fetch { get; }
    public ClientQuotaManager Request { get; }
    public ConnectionQuotas Connections { get; }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The quota user of a connection: the principal's name (ANONYMOUS without authentication).</summary>
    public static string UserOf(Security.ConnectionSession? session)
    {
        string? principal = session?.Principal;
        if (principal is null)
        {
            return AnonymousUser;
        }
        // One string per distinct principal, not per request.
        return Users.TryGetValue(principal, out string? user) ? user
            : Users.GetOrAdd(principal, p => p.StartsWith("User:", StringComparison.Ordinal) ? p[5..] : p);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Users = new(StringComparer.Ordinal);

    /// <summary>The largest Fetch response the client may get in one go (Kafka's fetch quota window bound); int.MaxValue without a quota.</summary>
    public int FetchMaxBytes(RequestContext context) =>
        Fetch.Enabled ? Fetch.MaxValueInQuotaWindow(UserOf(context.Session), context.ClientId ?? "") : int.MaxValue;

    /// <summary>
    /// Records a served request against the client's quotas, as Kafka's KafkaApis does: Produce
    /// counts the request size (and request time unless acks=0); Fetch counts the response size and,
    /// when throttled, is answered empty and its bytes are taken back; every other API but ApiVersions
    /// and SASL counts request time. Sets throttle_time_ms and returns the time to mute the connection.
    /// </summary>
    /// <param name="requestTicks">Stopwatch ticks spent on the request (parse and handler), without long-poll waits.</param>
    public long Apply(RequestContext context, IApiMessage request, ref IApiMessage? response, int requestBytes, long requestTicks)
    {
        bool produce = Produce.Enabled, fetch = Fetch.Enabled, time = Request.Enabled;
        if (!produce && !fetch && !time)
        {
            return 0;
        }
        string user = UserOf(context.Session);
        string client = context.ClientId ?? "";
        long now = NowMs;
        double percent = requestTicks * 100.0 / System.Diagnostics.Stopwatch.Frequency;
        long bandwidth = 0, requestThrottle = 0;
        QuotaSensor? bandwidthSensor = null, requestSensor = null;
        double bound;
        switch (context.ApiKey)
        {
            case ApiKey.Produce:
                if (produce && (bandwidthSensor = Produce.Find(user, client, out bound)) is not null)
                {
                    bandwidth = bandwidthSensor.RecordAndGetThrottleMs(requestBytes, bound, now);
                }
                if (time && request is ProduceRequest { Acks: not 0 } && (requestSensor = Request.Find(user, client, out bound)) is not null)
                {
                    requestThrottle = requestSensor.RecordAndGetThrottleMs(percent, bound, now, Request.MaxThrottleMs);
                }
                break;
            case ApiKey.Fetch:
                if (time && (requestSensor = Request.Find(user, client, out bound)) is not null)
                {
                    requestThrottle = requestSensor.RecordAndGetThrottleMs(percent, bound, now, Request.MaxThrottleMs);
                }
                if (fetch && response is FetchResponse fetched && (bandwidthSensor = Fetch.Find(user, client, out bound)) is not null)
                {
                    int size = fetched.ComputeSize(context.ApiVersion);
                    bandwidth = bandwidthSensor.RecordAndGetThrottleMs(size, bound, now);
                    if (Math.Max(bandwidth, requestThrottle) > 0)
                    {
                        bandwidthSensor.Unrecord(size, now);
                    }
                }
                if (Math.Max(bandwidth, requestThrottle) > 0 && response is FetchResponse original)
                {
                    // Kafka answers a throttled fetch with no data (the client fetches again after the throttle).
                    response = new FetchResponse { ErrorCode = original.ErrorCode, SessionId = original.SessionId };
                }
                break;
            case ApiKey.ApiVersions or ApiKey.SaslHandshake or ApiKey.SaslAuthenticate:
                break;
            default:
                if (time && (requestSensor = Request.Find(user, client, out bound)) is not null)
                {
                    requestThrottle = requestSensor.RecordAndGetThrottleMs(percent, bound, now, Request.MaxThrottleMs);
                }
                break;
        }
        long throttle = Math.Max(bandwidth, requestThrottle);
        if (throttle <= 0)
        {
            return 0;
        }
        QuotaSensor chosen = (bandwidth > requestThrottle ? bandwidthSensor : requestSensor)!;
        chosen.AddThrottle(throttle);
        QuotaMeters.ThrottleTime.Record(throttle / 1000.0, chosen.Tags);
        if (response is IThrottledResponse throttled)
        {
            throttled.ThrottleTimeMs = (int)Math.Min(throttle, int.MaxValue);
        }
        return throttle;
    }

    private IEnumerable<Measurement<double>> Measure(Func<QuotaSensor, double> value)
    {
        foreach (ClientQuotaManager manager in (ClientQuotaManager[])[Produce, Fetch, Request])
        {
            foreach (QuotaSensor sensor in manager.Sensors)
            {
                yield return new Measurement<double>(value(sensor), sensor.Tags);
            }
        }
        foreach (QuotaSensor sensor in Connections.IpSensors)
        {
            yield return new Measurement<double>(value(sensor), sensor.Tags);
        }
    }

    public void Dispose() => _meter.Dispose();
}
