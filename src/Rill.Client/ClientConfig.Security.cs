using System.Globalization;

namespace Rill.Client;

/// <summary>
/// TLS and SASL settings, named as librdkafka names them (security.protocol, sasl.mechanism,
/// sasl.username, ssl.ca.location, ...) so a librdkafka client's properties carry over.
/// </summary>
public partial class ClientConfig
{
    /// <summary>security.protocol: PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL.</summary>
    public string SecurityProtocol { get; set; } = "PLAINTEXT";

    /// <summary>sasl.mechanism (librdkafka also accepts sasl.mechanisms): PLAIN (default), SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER.</summary>
    public string SaslMechanism { get; set; } = "PLAIN";

    /// <summary>sasl.username (PLAIN and SCRAM).</summary>
    public string? SaslUsername { get; set; }

    /// <summary>sasl.password (PLAIN and SCRAM).</summary>
    public string? SaslPassword { get; set; }

    /// <summary>
    /// sasl.oauthbearer.token: a static OAUTHBEARER token (a JWT) sent as is. Rill's own name: librdkafka
    /// gets tokens from a callback instead. Re-read from <see cref="SaslOauthbearerTokenProvider"/> when set.
    /// </summary>
    public string? SaslOauthbearerToken { get; set; }

    /// <summary>Supplies the OAUTHBEARER token at every (re-)authentication; overrides <see cref="SaslOauthbearerToken"/>.</summary>
    public Func<string>? SaslOauthbearerTokenProvider { get; set; }

    /// <summary>ssl.ca.location: PEM file of the CA certificates the broker's certificate must chain to (else the system roots).</summary>
    public string? SslCaLocation { get; set; }

    /// <summary>ssl.certificate.location: the client's PEM certificate, for mutual TLS.</summary>
    public string? SslCertificateLocation { get; set; }

    /// <summary>ssl.key.location: the client's PEM private key, for mutual TLS.</summary>
    public string? SslKeyLocation { get; set; }

    /// <summary>ssl.key.password: the password of an encrypted <see cref="SslKeyLocation"/>.</summary>
    public string? SslKeyPassword { get; set; }

    /// <summary>enable.ssl.certificate.verification (default true).</summary>
    public bool EnableSslCertificateVerification { get; set; } = true;

    /// <summary>ssl.endpoint.identification.algorithm: https (default: the broker's name must match its certificate) or none.</summary>
    public string SslEndpointIdentificationAlgorithm { get; set; } = "https";

    internal bool UsesTls => SecurityProtocol.ToUpperInvariant() is "SSL" or "SASL_SSL";

    internal bool UsesSasl => SecurityProtocol.ToUpperInvariant() is "SASL_PLAINTEXT" or "SASL_SSL";

    /// <summary>
    /// Sets a property by its librdkafka / Kafka name (the connection and security ones); returns false
    /// for a name this client does not know, so tools can report it.
    /// </summary>
    public virtual bool Set(string name, string value)
    {
        switch (name)
        {
            case "bootstrap.servers": BootstrapServers = value; break;
            case "client.id": ClientId = value; break;
            case "request.timeout.ms": RequestTimeoutMs = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "security.protocol":
                if (value.ToUpperInvariant() is not ("PLAINTEXT" or "SSL" or "SASL_PLAINTEXT" or "SASL_SSL"))
                {
                    throw new ArgumentException($"security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, not '{value}'.");
                }
                SecurityProtocol = value.ToUpperInvariant();
                break;
            case "sasl.mechanism" or "sasl.mechanisms":
                if (value is not ("PLAIN" or "SCRAM-SHA-256" or "SCRAM-SHA-512" or "OAUTHBEARER"))
                {
                    throw new ArgumentException($"sasl.mechanism must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER, not '{value}'.");
                }
                SaslMechanism = value;
                break;
            case "sasl.username": SaslUsername = value; break;
            case "sasl.password": SaslPassword = value; break;
            case "sasl.oauthbearer.token": SaslOauthbearerToken = value; break;
            case "ssl.ca.location": SslCaLocation = value; break;
            case "ssl.certificate.location": SslCertificateLocation = value; break;
            case "ssl.key.location": SslKeyLocation = value; break;
            case "ssl.key.password": SslKeyPassword = value; break;
            case "enable.ssl.certificate.verification": EnableSslCertificateVerification = bool.Parse(value); break;
            case "ssl.endpoint.identification.algorithm": SslEndpointIdentificationAlgorithm = value.Length == 0 ? "none" : value; break;
            default: return false;
        }
        return true;
    }

    /// <summary>Copies the connection and security settings to another config (e.g. a tool's admin client).</summary>
    public void CopySecurityTo(ClientConfig other)
    {
        other.SecurityProtocol = SecurityProtocol;
        other.SaslMechanism = SaslMechanism;
        other.SaslUsername = SaslUsername;
        other.SaslPassword = SaslPassword;
        other.SaslOauthbearerToken = SaslOauthbearerToken;
        other.SaslOauthbearerTokenProvider = SaslOauthbearerTokenProvider;
        other.SslCaLocation = SslCaLocation;
        other.SslCertificateLocation = SslCertificateLocation;
        other.SslKeyLocation = SslKeyLocation;
        other.SslKeyPassword = SslKeyPassword;
        other.EnableSslCertificateVerification = EnableSslCertificateVerification;
        other.SslEndpointIdentificationAlgorithm = SslEndpointIdentificationAlgorithm;
    }
}
