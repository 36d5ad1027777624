using System.Text;

namespace Rill.Broker.Security.OAuthBearer;

/// <summary>
/// The server side of OAUTHBEARER (RFC 7628, KIP-255): one client message
/// <c>n,[a=authzid],\x01auth=Bearer &lt;jwt&gt;\x01[key=value\x01]*\x01</c>. A valid token authenticates
/// its sub claim (an authorization id must equal it), and its expiry bounds the session (KIP-368).
/// A bad token gets RFC 7628's error challenge (<c>{"status":"invalid_token"}</c>); the client answers
/// 0x01 and the exchange fails, as in Kafka. SASL extensions are accepted and ignored.
/// </summary>
internal sealed class OAuthBearerSaslServer(JwtValidator validator) : ISaslServer
{
    private string? _pendingError;
    private bool _done;

    public SaslStep Evaluate(ReadOnlySpan<byte> clientMessage)
    {
        if (_done)
        {
            return SaslStep.Fail("Invalid OAUTHBEARER message: the exchange is already complete");
        }
        if (_pendingError is not null)
        {
            _done = true;
            return SaslStep.Fail("Authentication failed: " + _pendingError);
        }
        string message;
        try
        {
            message = new UTF8Encoding(false, true).GetString(clientMessage);
        }
        catch (DecoderFallbackException)
        {
            _done = true;
            return SaslStep.Fail("Invalid OAUTHBEARER message: not UTF-8");
        }
        string[] parts = message.Split('\u0001');
        // gs2 header, key=value pairs, then two empty parts from the closing \x01\x01.
        if (parts.Length < 4 || parts[^1].Length != 0 || parts[^2].Length != 0 || !parts[0].StartsWith("n,", StringComparison.Ordinal) || !parts[0].EndsWith(',')
            || parts[0].Count(c => c == ',') != 2)
        {
            _done = true;
            return SaslStep.Fail("Invalid OAUTHBEARER client message: expected the RFC 7628 initial response");
        }
        string authzid = parts[0][2..^1];
        string? token = null;
        foreach (string pair in parts[1..^2])
        {
            if (pair.StartsWith("auth=", StringComparison.Ordinal))
            {
                string value = pair[5..];
                token = value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : null;
            }
        }
        if (token is null)
        {
            _done = true;
            return SaslStep.Fail("Invalid OAUTHBEARER client message: no auth=Bearer <token>");
        }
        JwtPrincipal? principal = validator.Validate(token, out string? error);
        if (principal is null)
        {
            _pendingError = error;
            return new SaslStep(Encoding.UTF8.GetBytes("{\"status\":\"invalid_token\"}"), false, null, null);
        }
        if (authzid.Length != 0 && authzid != "a=" + principal.Value.Principal)
        {
            _done = true;
            return SaslStep.Fail("Authentication failed: the authorization id differs from the token's principal");
        }
        _done = true;
        return new SaslStep([], true, principal.Value.Principal, null, principal.Value.ExpiresAt);
    }
}
