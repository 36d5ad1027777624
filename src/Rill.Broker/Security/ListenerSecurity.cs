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

    internal ListenerSecurity(BrokerConfig config, ListenerAddress listener, BrokerSecurity owner)
    {
        _owner = owner;
        Name = listener.Name;
        Protocol = SecurityProtocols.Parse(listener.SecurityProtocol);
        var props = new ListenerProperties(config, listener.Name);
        Tls = Protocol.UsesTls() ? new TlsSettings(props) : null;
        PrincipalMapper = SslPrincipalMapper.Parse(props.Get("ssl.principal.mapping.rules"));
        MaxPreAuthReceiveSize = int.Parse(props.Get("sasl.server.max.receive.size") ?? "524288", System.Globalization.CultureInfo.InvariantCulture);
        _plainUsers = new Dictionary<string, string>();
        Mechanisms = [];
        if (Protocol.UsesSasl())
        {
            Mechanisms = props.GetList("sasl.enabled.mechanisms");
            foreach (string mechanism in Mechanisms)
            {
                if (mechanism is not ("PLAIN" or "SCRAM-SHA-256" or "SCRAM-SHA-512"))
                {
                    throw new ConfigException("sasl.enabled.mechanisms",
                        $"SASL mechanism '{mechanism}' on listener {Name} is not supported by Rill (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)");
                }
            }
            if (Mechanisms.Contains("PLAIN"))
            {
                string property = "listener.name." + Name.ToLowerInvariant() + ".plain.sasl.jaas.config";
                string jaas = props.GetListenerOnly("plain.sasl.jaas.config") ?? props.Get("sasl.jaas.config")
                    ?? throw new ConfigException(property, $"SASL/PLAIN on listener {Name} needs {property} with PlainLoginModule user_<name>=\"<password>\" entries");
                _plainUsers = JaasConfig.Parse(property, jaas).Users();
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

    internal void CountFailedLogin() => _owner.CountFailedLogin();

    internal ISaslServer? CreateSaslServer(string mechanism) => mechanism switch
    {
        "PLAIN" when Mechanisms.Contains("PLAIN") => new PlainSaslServer(_plainUsers),
        "SCRAM-SHA-256" or "SCRAM-SHA-512" when Mechanisms.Contains(mechanism)
            => new Scram.ScramSaslServer(Rill.Protocol.Sasl.ScramMechanisms.Parse(mechanism), _owner.ScramCredentials),
        _ => null,
    };
}
