using System.Diagnostics.Metrics;
using Rill.Broker.Metrics;

namespace Rill.Broker.Quotas;

/// <summary>
/// Quota instruments on the <c>Rill.Broker</c> meter (names and Kafka counterparts in
/// docs/dev/observability.md). Tags are cached per quota sensor, so recording allocates nothing.
/// </summary>
internal static class QuotaMeters
{
    internal static readonly Histogram<double> ThrottleTime = BrokerMeters.Meter.CreateHistogram<double>("rill.quota.throttle.time", "s",
        "Throttle time given to a client, by quota type (Produce, Fetch, Request), user and client-id (Kafka: throttle-time per user/client-id)");
    internal static readonly Counter<long> ConnectionsRefused = BrokerMeters.Meter.CreateCounter<long>("rill.connection.refused", "{connection}",
        "Connections closed by a connection limit, by reason (max.connections.per.ip, connection_creation_rate)");
    internal static readonly Counter<long> ConnectionsBlocked = BrokerMeters.Meter.CreateCounter<long>("rill.connection.blocked", "{connection}",
        "Connections that waited for max.connections or a listener's max.connections (Kafka: acceptor blocked percent)");
    internal static readonly Histogram<double> ConnectionAcceptThrottleTime = BrokerMeters.Meter.CreateHistogram<double>("rill.connection.accept.throttle.time", "s",
        "Time a new connection waited for max.connection.creation.rate (Kafka: connection-accept-throttle-time)");

    internal static readonly KeyValuePair<string, object?>[] RefusedPerIp = [new("reason", "max.connections.per.ip")];
    internal static readonly KeyValuePair<string, object?>[] RefusedIpRate = [new("reason", "connection_creation_rate")];
}
