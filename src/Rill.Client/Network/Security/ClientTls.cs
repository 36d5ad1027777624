using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Rill.Protocol;

namespace Rill.Client.Network.Security;

/// <summary>
/// The client side of TLS (security.protocol SSL and SASL_SSL): the broker's certificate must chain
/// to ssl.ca.location (or the system roots) and, with ssl.endpoint.identification.algorithm=https,
/// match the host name; ssl.certificate.location + ssl.key.location give a client certificate for
/// mutual TLS. The CA bundle and client certificate are read once per client.
/// </summary>
internal sealed class ClientTls
{
    private readonly ClientConfig _config;
    private readonly X509Certificate2Collection? _trusted;
    private readonly X509Certificate2Collection? _clientCertificates;

    public ClientTls(ClientConfig config)
    {
        _config = config;
        if (config.SslCaLocation is { } ca)
        {
            _trusted = [];
            _trusted.ImportFromPemFile(ca);
            if (_trusted.Count == 0)
            {
                throw new ArgumentException($"ssl.ca.location {ca} holds no PEM certificate.");
            }
        }
        if (config.SslCertificateLocation is { } cert)
        {
            string key = config.SslKeyLocation ?? throw new ArgumentException("ssl.certificate.location needs ssl.key.location.");
            X509Certificate2 certificate = config.SslKeyPassword is { } password
                ? X509Certificate2.CreateFromEncryptedPemFile(cert, password, key)
                : X509Certificate2.CreateFromPemFile(cert, key);
            // SslStream on Linux wants a certificate whose key came from a PKCS#12 store.
            _clientCertificates = [X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null)];
        }
    }

    public async Task<Stream> AuthenticateAsync(Stream inner, string host, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false, Validate);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ClientCertificates = _clientCertificates,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new KafkaException(ErrorCode.NetworkException, $"TLS handshake with {host} failed: {e.Message}", e);
        }
        return ssl;
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (!_config.EnableSslCertificateVerification)
        {
            return true;
        }
        if (certificate is null)
        {
            return false;
        }
        bool checkName = !_config.SslEndpointIdentificationAlgorithm.Equals("none", StringComparison.OrdinalIgnoreCase);
        if (checkName && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }
        if (_trusted is null)
        {
            return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        }
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trusted);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        return custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
