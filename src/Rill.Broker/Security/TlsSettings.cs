using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Rill.Broker.Config;

namespace Rill.Broker.Security;

/// <summary>Kafka's <c>ssl.client.auth</c>.</summary>
public enum ClientAuth
{
    None,
    Requested,
    Required,
}

/// <summary>
/// One TLS listener's settings from Kafka's <c>ssl.*</c> properties: the keystore (PEM file or
/// inline PEM with <c>ssl.keystore.type=PEM</c>, or PKCS12), the truststore that client
/// certificates must chain to, <c>ssl.client.auth</c> and <c>ssl.enabled.protocols</c>. The
/// keystore file is re-read when it changes (certificate rotation without a restart).
/// </summary>
public sealed class TlsSettings
{
    private readonly ListenerProperties _props;
    private readonly string? _keystoreLocation;
    private X509Certificate2 _certificate;
    private DateTime _loadedWriteTime;
    private long _lastCheckTicks;

    internal TlsSettings(ListenerProperties props)
    {
        _props = props;
        _keystoreLocation = props.Get("ssl.keystore.location");
        _certificate = LoadKeystore();
        _loadedWriteTime = _keystoreLocation is null ? default : File.GetLastWriteTimeUtc(_keystoreLocation);
        ClientAuth = (props.Get("ssl.client.auth") ?? "none").ToLowerInvariant() switch
        {
            "required" => ClientAuth.Required,
            "requested" => ClientAuth.Requested,
            "none" => ClientAuth.None,
            string other => throw new ConfigException("ssl.client.auth", $"Invalid value '{other}' (required, requested, none)"),
        };
        Protocols = ParseProtocols(props.GetList("ssl.enabled.protocols"));
        TrustedCertificates = LoadTruststore();
    }

    public ClientAuth ClientAuth { get; }
    public SslProtocols Protocols { get; }

    /// <summary>Certificates a client certificate must chain to; empty means the system's roots.</summary>
    public X509Certificate2Collection TrustedCertificates { get; }

    /// <summary>The server certificate, reloaded when the keystore file's modification time changes (checked at most once a second).</summary>
    public X509Certificate2 CurrentCertificate()
    {
        long now = Environment.TickCount64;
        if (_keystoreLocation is not null && now - Interlocked.Read(ref _lastCheckTicks) > 1000)
        {
            Interlocked.Exchange(ref _lastCheckTicks, now);
            try
            {
                DateTime written = File.GetLastWriteTimeUtc(_keystoreLocation);
                if (written != _loadedWriteTime)
                {
                    _certificate = LoadKeystore();
                    _loadedWriteTime = written;
                }
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or ConfigException)
            {
                // A keystore caught mid-write keeps the current certificate until the next check.
            }
        }
        return _certificate;
    }

    /// <summary>Checks a client certificate against the truststore (and the system roots when none is configured).</summary>
    public bool ValidateClientCertificate(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (TrustedCertificates.Count > 0)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(TrustedCertificates);
            // Intermediate CAs in the truststore may be anchors too, as in Java's PKIX.
            chain.ChainPolicy.ExtraStore.AddRange(TrustedCertificates);
        }
        return chain.Build(certificate);
    }

    /// <summary>Options for an <see cref="SslStream"/> server handshake on this listener.</summary>
    public SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificate = CurrentCertificate(),
        ClientCertificateRequired = ClientAuth != ClientAuth.None,
        EnabledSslProtocols = Protocols,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, cert, _, _) => cert is null
            ? ClientAuth != ClientAuth.Required
            : ValidateClientCertificate(cert as X509Certificate2 ?? new X509Certificate2(cert)),
    };

    private X509Certificate2 LoadKeystore()
    {
        string type = (_props.Get("ssl.keystore.type") ?? "JKS").ToUpperInvariant();
        string? keyPassword = _props.Get("ssl.key.password");
        string? storePassword = _props.Get("ssl.keystore.password");
        if (type == "PEM")
        {
            string? inlineChain = _props.Get("ssl.keystore.certificate.chain");
            string? inlineKey = _props.Get("ssl.keystore.key");
            if (inlineChain is not null && inlineKey is not null)
            {
                return FromPem(inlineChain, inlineKey, keyPassword);
            }
            string location = _keystoreLocation ?? throw new ConfigException("ssl.keystore.location",
                "A TLS listener needs ssl.keystore.location (or ssl.keystore.certificate.chain and ssl.keystore.key)");
            string pem = File.ReadAllText(location);
            return FromPem(pem, pem, keyPassword);
        }
        if (type is "PKCS12" or "P12")
        {
            string location = _keystoreLocation ?? throw new ConfigException("ssl.keystore.location", "A TLS listener needs ssl.keystore.location");
            return X509CertificateLoader.LoadPkcs12FromFile(location, storePassword ?? keyPassword);
        }
        throw new ConfigException("ssl.keystore.type", $"Keystore type '{type}' is not supported by Rill: use PEM or PKCS12");
    }

    private static X509Certificate2 FromPem(string certificates, string key, string? password)
    {
        X509Certificate2 cert = password is null
            ? X509Certificate2.CreateFromPem(certificates, key)
            : X509Certificate2.CreateFromEncryptedPem(certificates, key, password);
        return cert;
    }

    private X509Certificate2Collection LoadTruststore()
    {
        var trusted = new X509Certificate2Collection();
        string type = (_props.Get("ssl.truststore.type") ?? "JKS").ToUpperInvariant();
        if (_props.Get("ssl.truststore.certificates") is string inline)
        {
            trusted.ImportFromPem(inline);
            return trusted;
        }
        if (_props.Get("ssl.truststore.location") is not string location)
        {
            return trusted;
        }
        if (type is "PKCS12" or "P12")
        {
            trusted.AddRange(X509CertificateLoader.LoadPkcs12CollectionFromFile(location, _props.Get("ssl.truststore.password")));
        }
        else
        {
            // PEM (and Rill reads any truststore that is a PEM bundle, whatever its declared type).
            trusted.ImportFromPemFile(location);
        }
        return trusted;
    }

    private static SslProtocols ParseProtocols(IReadOnlyList<string> names)
    {
        SslProtocols result = SslProtocols.None;
        foreach (string name in names)
        {
            result |= name switch
            {
                "TLSv1.2" => SslProtocols.Tls12,
                "TLSv1.3" => SslProtocols.Tls13,
                _ => throw new ConfigException("ssl.enabled.protocols", $"Unsupported TLS protocol '{name}' (TLSv1.2, TLSv1.3)"),
            };
        }
        return result == SslProtocols.None ? SslProtocols.Tls12 | SslProtocols.Tls13 : result;
    }
}
