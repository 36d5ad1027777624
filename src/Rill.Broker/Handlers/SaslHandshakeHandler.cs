using Rill.Broker.Security;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// SaslHandshake (key 17), v0-1 (KIP-152): picks the mechanism. After v1 the SASL tokens follow
/// in SaslAuthenticate; after v0 they follow as raw size-prefixed frames, which the connection
/// hands to <see cref="ConnectionSession.EvaluateRaw"/>. UNSUPPORTED_SASL_MECHANISM lists the listener's
/// mechanisms; a handshake on a listener without SASL, or a second one before authentication, is
/// ILLEGAL_SASL_STATE. After a successful SaslAuthenticate exchange, a new v1 handshake with the same
/// mechanism starts a re-authentication (KIP-368).
/// </summary>
internal sealed class SaslHandshakeHandler : ApiHandler<SaslHandshakeRequest, SaslHandshakeResponse>
{
    public override ApiKey Key => ApiKey.SaslHandshake;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override ValueTask<SaslHandshakeResponse?> HandleAsync(RequestContext context, SaslHandshakeRequest request)
    {
        ConnectionSession? session = context.Session;
        var response = new SaslHandshakeResponse();
        bool reauthentication = session is { Authenticated: true, HandshakeDone: true, Sasl: null } && context.ApiVersion >= 1
            && session.Mechanism == request.Mechanism;
        if (session is null || !session.Listener.Protocol.UsesSasl() || (session.HandshakeDone && !reauthentication))
        {
            response.ErrorCode = (short)ErrorCode.IllegalSaslState;
            context.CloseConnection = true;
            return ValueTask.FromResult<SaslHandshakeResponse?>(response);
        }
        response.Mechanisms.AddRange(session.Listener.Mechanisms);
        ISaslServer? server = session.Listener.CreateSaslServer(request.Mechanism);
        if (server is null)
        {
            response.ErrorCode = (short)ErrorCode.UnsupportedSaslMechanism;
            context.CloseConnection = true;
            return ValueTask.FromResult<SaslHandshakeResponse?>(response);
        }
        session.Sasl = server;
        session.HandshakeDone = true;
        session.Mechanism = request.Mechanism;
        session.RawTokens = context.ApiVersion == 0;
        return ValueTask.FromResult<SaslHandshakeResponse?>(response);
    }
}
