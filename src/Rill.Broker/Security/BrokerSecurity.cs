using Rill.Broker.Config;

namespace Rill.Broker.Security;

/// <summary>Every listener's security settings, by listener name, and the failed-login counter.</summary>
public sealed class BrokerSecurity
{
    private readonly Dictionary<string, ListenerSecurity> _listeners;
    private long _failedLogins;

    public BrokerSecurity(BrokerConfig config)
    {
        _listeners = config.Listeners.ToDictionary(l => l.Name, l => new ListenerSecurity(config, l, this), StringComparer.Ordinal);
    }

    /// <summary>SCRAM credentials (AlterUserScramCredentials), persisted in the log dir once <see cref="KafkaBroker.StartAsync"/> has loaded them.</summary>
    internal Scram.ScramCredentialStore ScramCredentials { get; } = new();

    public ListenerSecurity For(string listenerName) => _listeners[listenerName];

    /// <summary>SASL authentications refused since start.</summary>
    public long FailedLogins => Interlocked.Read(ref _failedLogins);

    internal void CountFailedLogin() => Interlocked.Increment(ref _failedLogins);
}
