using Microsoft.Extensions.Logging;
using Rill.Broker.Security;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// SaslAuthenticate (key 36), v0-2: one SASL token each way per request. A failed login answers
/// SASL_AUTHENTICATION_FAILED after connection.failed.authentication.delay.ms (which slows brute
/// force), is logged and counted (rill.sasl.authentication.failures), and closes the connection; an
/// address with too many recent failures is refused without checking (FailedLoginLimiter). v1+ answers session_lifetime_ms
/// (KIP-368: connections.max.reauth.ms, or less when an OAUTHBEARER token expires sooner); a
/// re-authentication that names another principal fails and closes the connection.
/// </summary>
internal sealed class SaslAuthenticateHandler : ApiHandler<SaslAuthenticateRequest, SaslAuthenticateResponse>
{
    private readonly KafkaBroker _broker;
    private readonly ILogger _log;
    private readonly TimeSpan _failureDelay;

    public SaslAuthenticateHandler(KafkaBroker broker, ILogger log)
    {
        _broker = broker;
        _log = log;
        _failureDelay = TimeSpan.FromMilliseconds(int.Parse(broker.Config.GetString("connection.failed.authentication.delay.ms") ?? "100",
            System.Globalization.CultureInfo.InvariantCulture));
    }

    public override ApiKey Key => ApiKey.SaslAuthenticate;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override async ValueTask<SaslAuthenticateResponse?> HandleAsync(RequestContext context, SaslAuthenticateRequest request)
    {
        ConnectionSession? session = context.Session;
        var response = new SaslAuthenticateResponse();
        if (session is null || session.Sasl is null)
        {
            response.ErrorCode = (short)ErrorCode.IllegalSaslState;
            response.ErrorMessage = "SaslAuthenticate without a SaslHandshake choosing a mechanism";
            context.CloseConnection = true;
            return response;
        }
        bool reauthentication = session.Authenticated;
        SaslStep step = session.Listener.IsBlocked(context.RemoteEndPoint)
            ? SaslStep.Fail("Authentication failed: too many failed logins from this address; try again later")
            : session.Sasl.Evaluate(request.AuthBytes.Span);
        long? lifetime = null;
        if (step.Error is null && step.Complete && step.User is not null)
        {
            lifetime = session.Authenticate(step.User, step.CredentialExpiry);
            if (lifetime is null)
            {
                step = SaslStep.Fail("Cannot change principals during re-authentication");
            }
        }
        if (step.Error is not null)
        {
            session.Listener.CountFailedLogin(session, context.RemoteEndPoint);
            _log.LogWarning("Failed authentication on listener {Listener} from {Remote} (connection {Connection}): {Error}",
                session.Listener.Name, context.RemoteEndPoint, context.ConnectionId, step.Error);
            if (_failureDelay > TimeSpan.Zero)
            {
                await Task.Delay(_failureDelay, _broker.Time, context.Aborted).ConfigureAwait(false);
            }
            response.ErrorCode = (short)ErrorCode.SaslAuthenticationFailed;
            response.ErrorMessage = step.Error;
            context.CloseConnection = true;
            return response;
        }
        if (lifetime is not null)
        {
            (reauthentication ? SecurityMeters.Reauthentications : SecurityMeters.Authentications).Add(1, SecurityMeters.Tags(session));
            if (reauthentication)
            {
                session.Listener.CountReauthentication();
            }
            _log.LogDebug("{Principal} {Action} on listener {Listener} from {Remote} with {Mechanism}; session lifetime {Lifetime} ms",
                session.Principal, reauthentication ? "re-authenticated" : "authenticated", session.Listener.Name, context.RemoteEndPoint, session.Mechanism, lifetime);
        }
        response.AuthBytes = step.Response;
        response.SessionLifetimeMs = lifetime ?? 0;
        return response;
    }
}
