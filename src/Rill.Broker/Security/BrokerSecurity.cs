using Rill.Broker.Config;

namespace Rill.Broker.Security;

/// <summary>Every listener's security settings, by listener name, and the failed-login counter.</summary>
public sealed class BrokerSecurity
{
    private readonly Dictionary<string, ListenerSecurity> _listeners;
    private long _failedLogins;
    private long _reauthentications;

    public BrokerSecurity(BrokerConfig config, TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        LoginLimiter = new FailedLoginLimiter(int.Parse(config.GetString("rill.sasl.max.failed.logins.per.ip") ?? "10", System.Globalization.CultureInfo.InvariantCulture), Time);
        _listeners = config.Listeners.ToDictionary(l => l.Name, l => new ListenerSecurity(config, l, this), StringComparer.Ordinal);
    }

    /// <summary>SCRAM credentials (AlterUserScramCredentials), persisted in the log dir once <see cref="KafkaBroker.StartAsync"/> has loaded them.</summary>
    internal Scram.ScramCredentialStore ScramCredentials { get; } = new();

    /// <summary>The per-IP brute-force limit on SASL logins.</summary>
    internal FailedLoginLimiter LoginLimiter { get; }

    /// <summary>The broker's clock: SASL session expiry (KIP-368) and token expiry are measured on it.</summary>
    internal TimeProvider Time { get; }

    public ListenerSecurity For(string listenerName) => _listeners[listenerName];

    /// <summary>Every listener's settings.</summary>
    public IEnumerable<ListenerSecurity> Listeners => _listeners.Values;

    /// <summary>SASL authentications refused since start.</summary>
    public long FailedLogins => Interlocked.Read(ref _failedLogins);

    internal void CountFailedLogin() => Interlocked.Increment(ref _failedLogins);

    /// <summary>KIP-368 re-authentications accepted since start.</summary>
    public long Reauthentications => Interlocked.Read(ref _reauthentications);

    internal void CountReauthentication() => Interlocked.Increment(ref _reauthentications);
}
