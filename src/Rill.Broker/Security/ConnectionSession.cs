using System.Security.Cryptography.X509Certificates;

namespace Rill.Broker.Security;

/// <summary>
/// The security state of one connection: its listener, the SASL exchange under way and the
/// authenticated principal (<c>User:ANONYMOUS</c> on PLAINTEXT; the certificate's mapped subject on
/// SSL; the SASL user on SASL listeners once authenticated).
/// </summary>
internal sealed class ConnectionSession
{
    public const string Anonymous = "User:ANONYMOUS";

    public ConnectionSession(ListenerSecurity listener, X509Certificate2? clientCertificate)
    {
        Listener = listener;
        Principal = Anonymous;
        if (listener.Protocol == SecurityProtocol.Ssl && clientCertificate is not null)
        {
            string dn = clientCertificate.SubjectName.Name.Replace(", ", ",", StringComparison.Ordinal);
            Principal = "User:" + (listener.PrincipalMapper.Map(dn) ?? dn);
        }
        Authenticated = !listener.Protocol.UsesSasl();
    }

    public ListenerSecurity Listener { get; }

    /// <summary>"User:name".</summary>
    public string Principal { get; private set; }

    /// <summary>True on listeners without SASL, and after a successful SASL exchange.</summary>
    public bool Authenticated { get; private set; }

    /// <summary>The mechanism chosen by SaslHandshake; null before it.</summary>
    public ISaslServer? Sasl { get; set; }

    public bool HandshakeDone { get; set; }

    /// <summary>SaslHandshake v0 was used: the next frames are raw SASL tokens, not Kafka requests.</summary>
    public bool RawTokens { get; set; }

    /// <summary>
    /// One raw SASL token after SaslHandshake v0: returns the token to send back (size-prefixed by the
    /// caller), or null when authentication failed and the connection must close.
    /// </summary>
    public byte[]? EvaluateRaw(ReadOnlySpan<byte> token, out string? error)
    {
        error = "No SASL mechanism was chosen";
        if (Sasl is null)
        {
            return null;
        }
        SaslStep step = Sasl.Evaluate(token);
        error = step.Error;
        if (step.Error is not null)
        {
            return null;
        }
        if (step.Complete && step.User is not null)
        {
            Authenticate(step.User);
            RawTokens = false;
        }
        return step.Response;
    }

    public void Authenticate(string user)
    {
        Principal = "User:" + user;
        Authenticated = true;
        Sasl = null;
    }

    /// <summary>Before authentication only ApiVersions, SaslHandshake and SaslAuthenticate may be sent.</summary>
    public bool MaySend(Protocol.ApiKey key) =>
        Authenticated || key is Protocol.ApiKey.ApiVersions or Protocol.ApiKey.SaslHandshake or Protocol.ApiKey.SaslAuthenticate;
}
