using Microsoft.Extensions.Logging;
using Rill.Broker.Security;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// SaslAuthenticate (key 36), v0-2: one SASL token each way per request. A failed login answers
/// SASL_AUTHENTICATION_FAILED after connection.failed.authentication.delay.ms (which slows brute
/// force), is logged and counted, and closes the connection. Re-authentication (KIP-368) is not
/// implemented: session_lifetime_ms is 0.
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
        if (session is null || session.Sasl is null || session.Authenticated)
        {
            response.ErrorCode = (short)ErrorCode.IllegalSaslState;
            response.ErrorMessage = "SaslAuthenticate without a SaslHandshake choosing a mechanism";
            context.CloseConnection = true;
            return response;
        }
        SaslStep step = session.Sasl.Evaluate(request.AuthBytes.Span);
        if (step.Error is not null)
        {
            session.Listener.CountFailedLogin();
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
        response.AuthBytes = step.Response;
        if (step.Complete && step.User is not null)
        {
            session.Authenticate(step.User);
        }
        return response;
    }
}
