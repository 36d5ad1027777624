using System.Diagnostics.Metrics;
using Rill.Broker.Metrics;

namespace Rill.Broker.Security;

/// <summary>SASL counters on the broker's meter (exported by /metrics with the others; docs/dev/security.md).</summary>
internal static class SecurityMeters
{
    /// <summary>Kafka: selector metric failed-authentication-total.</summary>
    public static readonly Counter<long> FailedAuthentications = BrokerMeters.Meter.CreateCounter<long>("rill.sasl.authentication.failures", "{login}",
        "SASL logins refused, by listener and mechanism (Kafka: failed-authentication-total)");

    /// <summary>Kafka: successful-authentication-total.</summary>
    public static readonly Counter<long> Authentications = BrokerMeters.Meter.CreateCounter<long>("rill.sasl.authentications", "{login}",
        "SASL logins accepted, by listener and mechanism (Kafka: successful-authentication-total)");

    /// <summary>Kafka: successful-reauthentication-total.</summary>
    public static readonly Counter<long> Reauthentications = BrokerMeters.Meter.CreateCounter<long>("rill.sasl.reauthentications", "{login}",
        "KIP-368 re-authentications accepted (Kafka: successful-reauthentication-total)");

    public static KeyValuePair<string, object?>[] Tags(ConnectionSession session) =>
        [new("listener", session.Listener.Name), new("mechanism", session.Mechanism ?? "")];
}
