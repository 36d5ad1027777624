using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Rill.Interop.Tests.Security;

/// <summary>
/// A throwaway CA, a server certificate for 127.0.0.1/localhost and a client certificate, written as
/// PEM (and the server's also as PKCS#12) into a temp directory. Generated per test run; no key is
/// ever committed.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly TempDirectory _dir = new();

    public TestCertificates(string clientSubject = "CN=alice,OU=riders,O=Rill Test")
    {
        using RSA caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Rill Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        CaPem = Write("ca.pem", ca.ExportCertificatePem());

        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        (ServerPem, ServerP12) = Issue(ca, caKey, "CN=localhost,O=Rill Test", san.Build(), "server", serverAuth: true);
        (ClientPem, _) = Issue(ca, caKey, clientSubject, null, "client", serverAuth: false);
        ClientCertPem = Write("client.crt", File.ReadAllText(ClientPem).Split("-----BEGIN PRIVATE KEY-----")[0]);
        ClientKeyPem = Write("client.key", "-----BEGIN PRIVATE KEY-----" + File.ReadAllText(ClientPem).Split("-----BEGIN PRIVATE KEY-----")[1]);
    }

    public string CaPem { get; }

    /// <summary>Server certificate and unencrypted PKCS#8 key in one PEM file.</summary>
    public string ServerPem { get; }

    /// <summary>The server certificate and key as PKCS#12, password <see cref="P12Password"/>.</summary>
    public string ServerP12 { get; }

    public string ClientPem { get; }
    public string ClientCertPem { get; }
    public string ClientKeyPem { get; }

    public const string P12Password = "changeit";

    public string Path(string name) => _dir.Sub(name);

    private (string Pem, string P12) Issue(X509Certificate2 ca, RSA caKey, string subject, X509Extension? san, string name, bool serverAuth)
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }
        DateTimeOffset now = DateTimeOffset.UtcNow;
        byte[] serial = RandomNumberGenerator.GetBytes(12);
        using X509Certificate2 issued = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1),
            now.AddDays(-1), now.AddDays(29), serial);
        using X509Certificate2 withKey = issued.CopyWithPrivateKey(key);
        string pem = Write(name + ".pem", issued.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        string p12 = _dir.Sub(name + ".p12");
        File.WriteAllBytes(p12, withKey.Export(X509ContentType.Pkcs12, P12Password));
        return (pem, p12);
    }

    private string Write(string name, string content)
    {
        string path = _dir.Sub(name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => _dir.Dispose();
}
