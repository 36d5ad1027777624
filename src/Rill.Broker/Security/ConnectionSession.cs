using System.Security.Cryptography.X509Certificates;

namespace Rill.Broker.Security;

/// <summary>
/// The security state of one connection: its listener, the SASL exchange under way and the
/// authenticated principal (<c>User:ANONYMOUS</c> on PLAINTEXT; the certificate's mapped subject on
/// SSL; the SASL user on SASL listeners once authenticated). With a session lifetime (KIP-368:
/// connections.max.reauth.ms or an OAUTHBEARER token's expiry) the client must authenticate again
/// (SaslHandshake v1 + SaslAuthenticate on the live connection, same mechanism, same principal)
/// before it ends; after it ends, any other request closes the connection, as in Kafka.
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

    /// <summary>The mechanism of the first successful handshake (re-authentication must use it again).</summary>
    public string? Mechanism { get; set; }

    /// <summary>When the authenticated session ends (KIP-368); null when it does not.</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>Successful re-authentications on this connection.</summary>
    public int Reauthentications { get; private set; }

    /// <summary>True when the session has a lifetime and it is over.</summary>
    public bool Expired => ExpiresAt is { } end && Listener.Time.GetUtcNow() >= end;

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
            Authenticate(step.User, step.CredentialExpiry);
            RawTokens = false;
        }
        return step.Response;
    }

    /// <summary>
    /// Completes an exchange and returns the session lifetime in ms (0 = unlimited). Returns null
    /// when a re-authentication names another principal (refused, as in Kafka).
    /// </summary>
    public long? Authenticate(string user, DateTimeOffset? credentialExpiry = null)
    {
        Sasl = null;
        if (Authenticated && Principal != "User:" + user)
        {
            return null;
        }
        if (Authenticated)
        {
            Reauthentications++;
        }
        Principal = "User:" + user;
        Authenticated = true;
        DateTimeOffset now = Listener.Time.GetUtcNow();
        DateTimeOffset? end = Listener.MaxReauthMs > 0 ? now.AddMilliseconds(Listener.MaxReauthMs) : null;
        if (credentialExpiry is { } expiry && (end is null || expiry < end))
        {
            end = expiry;
        }
        ExpiresAt = end;
        return end is null ? 0 : Math.Max(1, (long)(end.Value - now).TotalMilliseconds);
    }

    /// <summary>
    /// Before authentication only ApiVersions, SaslHandshake and SaslAuthenticate may be sent; after
    /// the session expired, only a re-authentication.
    /// </summary>
    public bool MaySend(Protocol.ApiKey key) =>
        key is Protocol.ApiKey.SaslHandshake or Protocol.ApiKey.SaslAuthenticate
        || (key is Protocol.ApiKey.ApiVersions && !Authenticated)
        || (Authenticated && !Expired);
}
