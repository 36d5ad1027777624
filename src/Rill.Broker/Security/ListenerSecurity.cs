using Rill.Broker.Config;

namespace Rill.Broker.Security;

/// <summary>
/// How one listener secures its connections: its security protocol, TLS settings (SSL and
/// SASL_SSL), the SASL mechanisms it accepts and their users (SASL_PLAINTEXT and SASL_SSL).
/// Built once at start from the listener's <c>listener.name.&lt;name&gt;.*</c> and broker-wide properties.
/// </summary>
public sealed class ListenerSecurity
{
    private readonly IReadOnlyDictionary<string, string> _plainUsers;

    private readonly BrokerSecurity _owner;
    private readonly OAuthBearer.JwtValidator? _jwt;

    internal ListenerSecurity(BrokerConfig config, ListenerAddress listener, BrokerSecurity owner)
    {
        _owner = owner;
        Name = listener.Name;
        Protocol = SecurityProtocols.Parse(listener.SecurityProtocol);
        var props = new ListenerProperties(config, listener.Name);
        Tls = Protocol.UsesTls() ? new TlsSettings(props) : null;
        PrincipalMapper = SslPrincipalMapper.Parse(props.Get("ssl.principal.mapping.rules"));
        MaxPreAuthReceiveSize = int.Parse(props.Get("sasl.server.max.receive.size") ?? "524288", System.Globalization.CultureInfo.InvariantCulture);
        MaxReauthMs = long.Parse(props.Get("connections.max.reauth.ms") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        _plainUsers = new Dictionary<string, string>();
        Mechanisms = [];
        if (Protocol.UsesSasl())
        {
            Mechanisms = props.GetList("sasl.enabled.mechanisms");
            foreach (string mechanism in Mechanisms)
            {
                if (mechanism is not ("PLAIN" or "SCRAM-SHA-256" or "SCRAM-SHA-512" or "OAUTHBEARER"))
                {
                    throw new ConfigException("sasl.enabled.mechanisms",
                        $"SASL mechanism '{mechanism}' on listener {Name} is not supported by Rill (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)");
                }
            }
            if (Mechanisms.Contains("PLAIN"))
            {
                string property = "listener.name." + Name.ToLowerInvariant() + ".plain.sasl.jaas.config";
                string jaas = props.GetListenerOnly("plain.sasl.jaas.config") ?? props.Get("sasl.jaas.config")
                    ?? throw new ConfigException(property, $"SASL/PLAIN on listener {Name} needs {property} with PlainLoginModule user_<name>=\"<password>\" entries");
                _plainUsers = JaasConfig.Parse(property, jaas).Users();
            }
            if (Mechanisms.Contains("OAUTHBEARER"))
            {
                var keys = new OAuthBearer.JwtKeys(props.Get("sasl.oauthbearer.jwks.endpoint.url"), props.Get("rill.sasl.oauthbearer.verification.key.location"));
                _jwt = new OAuthBearer.JwtValidator(keys, props.Get("sasl.oauthbearer.expected.issuer"), props.GetList("sasl.oauthbearer.expected.audience"),
                    props.Get("sasl.oauthbearer.sub.claim.name") ?? "sub",
                    TimeSpan.FromSeconds(int.Parse(props.Get("sasl.oauthbearer.clock.skew.seconds") ?? "30", System.Globalization.CultureInfo.InvariantCulture)),
                    owner.Time);
            }
        }
    }

    public string Name { get; }
    public SecurityProtocol Protocol { get; }

    /// <summary>TLS settings; null on PLAINTEXT and SASL_PLAINTEXT listeners.</summary>
    public TlsSettings? Tls { get; }

    /// <summary>sasl.enabled.mechanisms on a SASL listener; empty otherwise.</summary>
    public IReadOnlyList<string> Mechanisms { get; }

    internal SslPrincipalMapper PrincipalMapper { get; }

    /// <summary>sasl.server.max.receive.size: the largest frame accepted before authentication.</summary>
    public int MaxPreAuthReceiveSize { get; }

    /// <summary>connections.max.reauth.ms (KIP-368): a SASL session's lifetime; 0 = sessions do not expire.</summary>
    public long MaxReauthMs { get; }

    internal TimeProvider Time => _owner.Time;

    /// <summary>A refused login: the broker's counter, the metric and the per-IP brute-force limit.</summary>
    internal void CountFailedLogin(ConnectionSession session, System.Net.EndPoint? remote)
    {
        _owner.CountFailedLogin();
        _owner.LoginLimiter.Record(remote);
        SecurityMeters.FailedAuthentications.Add(1, SecurityMeters.Tags(session));
    }

    internal void CountReauthentication() => _owner.CountReauthentication();

    /// <summary>True when <paramref name="remote"/> has failed too many logins lately (its next logins are refused unchecked).</summary>
    internal bool IsBlocked(System.Net.EndPoint? remote) => _owner.LoginLimiter.IsBlocked(remote);

    internal ISaslServer? CreateSaslServer(string mechanism) => mechanism switch
    {
        "PLAIN" when Mechanisms.Contains("PLAIN") => new PlainSaslServer(_plainUsers),
        "SCRAM-SHA-256" or "SCRAM-SHA-512" when Mechanisms.Contains(mechanism)
            => new Scram.ScramSaslServer(Rill.Protocol.Sasl.ScramMechanisms.Parse(mechanism), _owner.ScramCredentials),
        "OAUTHBEARER" when _jwt is not null => new OAuthBearer.OAuthBearerSaslServer(_jwt),
        _ => null,
    };
}
