using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Rill.Broker;
using Rill.Broker.Security;
using Rill.Broker.WebConsole;

namespace Rill.Server.Http.WebConsole;

/// <summary>
/// Login for the web console. When the broker has an authorizer or a SASL listener (or
/// <c>rill.console.login=required</c>), every <c>/api/</c> call needs a session: <c>POST /api/login</c>
/// checks the user name and password with the broker's own SASL servers and users
/// (<see cref="PasswordLogin"/>: SCRAM credentials, PLAIN JAAS users), or an OAUTHBEARER token with the
/// listeners' JWT validator, and sets an HttpOnly, SameSite=Strict cookie holding a signed session token
/// (<see cref="ConsoleSessions"/>: valid on every broker sharing the key, across restarts, with an idle
/// timeout and an absolute lifetime; logout revokes it); the call then runs as <c>User:name</c> through
/// the broker's authorizer. State-changing calls (POST, PUT, DELETE) must carry the session's CSRF
/// token in <c>X-Rill-Csrf</c>, and any request with an <c>Origin</c> other than this listener is
/// refused. Failed logins wait <c>connection.failed.authentication.delay.ms</c> and count towards the
/// SASL per-IP limit (<c>rill.sasl.max.failed.logins.per.ip</c>), after which 429 answers without checking.
/// Without security configured the console stays open (it listens on 127.0.0.1 by default).
/// </summary>
internal sealed class ConsoleAuth
{
    public const string CookieName = "rill_console_session";
    public const string CsrfHeader = "X-Rill-Csrf";

    /// <summary>Sent by the pages: milliseconds since the user last clicked or typed, so that polling alone does not keep a session alive.</summary>
    public const string IdleHeader = "X-Rill-Idle-Ms";
    private const string CallerItem = "rill.console.caller";

    private readonly BrokerConsole _console;
    private readonly PasswordLogin _login;
    private readonly ConsoleSessions _sessions;
    private readonly TimeSpan _failureDelay;
    private readonly ILogger _log;

    public ConsoleAuth(KafkaBroker broker, BrokerConsole console, RillServerOptions options, ILogger log)
    {
        _console = console;
        _login = new PasswordLogin(broker.Security);
        _log = log;
        LoginRequired = options.ConsoleLogin == ConsoleLoginMode.Required || broker.Authorizer.Enabled || _login.AnySaslListener;
        _sessions = new ConsoleSessions(broker.ConsoleSessions, TimeProvider.System, options.ConsoleSessionLifetime, options.ConsoleSessionIdleTimeout);
        _failureDelay = TimeSpan.FromMilliseconds(int.Parse(broker.Config.GetString("connection.failed.authentication.delay.ms") ?? "100",
            CultureInfo.InvariantCulture));
    }

    public bool LoginRequired { get; }

    /// <summary>The caller the auth filter resolved for this request.</summary>
    public static ConsoleCaller Caller(HttpContext http) => (ConsoleCaller)http.Items[CallerItem]!;

    /// <summary>/api/session, /api/login, /api/logout (outside the API group, so its filter does not apply to them).</summary>
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/session", (RequestDelegate)(http =>
        {
            ConsoleSession? session = Touch(http, _sessions.Find(http.Request.Cookies[CookieName]));
            if (LoginRequired && session is null)
            {
                // 200, not 401: asking whether one is logged in is not an error (the page then shows the login form).
                return Json(http, 200, new SessionAnswer(false, true, _console.AuthorizerEnabled, null, null, false, false, null, null));
            }
            var caller = new ConsoleCaller(session?.Principal ?? ConsoleCaller.Anonymous.Principal, http.Connection.RemoteIpAddress is { } ip
                ? new System.Net.IPEndPoint(ip, http.Connection.RemotePort) : null);
            SessionInfo info = _console.Session(caller, LoginRequired);
            return Json(http, 200, new SessionAnswer(true, LoginRequired, info.AuthorizerEnabled, info.Principal, session?.CsrfToken, info.CanAlterCluster,
                info.CanDescribeCluster, session?.ExpiresAt, session?.IdleExpiresAt));
        }));
        app.MapPost("/api/login", (RequestDelegate)(async http =>
        {
            if (ForeignOrigin(http))
            {
                await Json(http, 403, new ConsoleError("INVALID_ORIGIN", "Cross-origin request refused.")).ConfigureAwait(false);
                return;
            }
            LoginRequest? body;
            try
            {
                body = await http.Request.ReadFromJsonAsync<LoginRequest>(ConsoleApi.Json).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or BadHttpRequestException)
            {
                await Json(http, 400, new ConsoleError("INVALID_REQUEST", "The login needs a JSON body {\"username\", \"password\"} or {\"token\"}.")).ConfigureAwait(false);
                return;
            }
            var remote = http.Connection.RemoteIpAddress is { } ip ? new System.Net.IPEndPoint(ip, http.Connection.RemotePort) : null;
            LoginResult result = string.IsNullOrWhiteSpace(body?.Token)
                ? _login.Verify(body?.Username ?? "", body?.Password ?? "", remote)
                : _login.VerifyBearer(body.Token, remote);
            if (result.Principal is null)
            {
                _log.LogInformation("Failed console login for {User} from {Remote}: {Error}", string.IsNullOrWhiteSpace(body?.Token) ? "user " + body?.Username : "an OAUTHBEARER token",
                    remote, result.Error);
                await Task.Delay(_failureDelay, http.RequestAborted).ConfigureAwait(false);
                await Json(http, result.Blocked ? 429 : 401, new ConsoleError("SASL_AUTHENTICATION_FAILED", result.Error)).ConfigureAwait(false);
                return;
            }
            ConsoleSession session = _sessions.Create(result.Principal, result.CredentialExpiry);
            SetCookie(http, session);
            _log.LogInformation("Console login by {Principal} from {Remote}", result.Principal, remote);
            SessionInfo info = _console.Session(new ConsoleCaller(result.Principal, remote), LoginRequired);
            await Json(http, 200, new SessionAnswer(true, LoginRequired, info.AuthorizerEnabled, info.Principal, session.CsrfToken, info.CanAlterCluster,
                info.CanDescribeCluster, session.ExpiresAt, session.IdleExpiresAt)).ConfigureAwait(false);
        }));
        app.MapPost("/api/logout", (RequestDelegate)(http =>
        {
            ConsoleSession? session = _sessions.Find(http.Request.Cookies[CookieName]);
            if (session is not null)
            {
                if (!CsrfMatches(http, session))
                {
                    return Json(http, 403, new ConsoleError("INVALID_CSRF_TOKEN", $"Missing or wrong {CsrfHeader} header."));
                }
                _sessions.Revoke(session);
                _log.LogInformation("Console logout by {Principal}", session.Principal);
            }
            http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict });
            http.Response.StatusCode = 204;
            return Task.CompletedTask;
        }));
    }

    /// <summary>The API group's filter: origin check, then the session (401 without one when login is required) and CSRF token.</summary>
    public async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        HttpContext http = context.HttpContext;
        bool unsafeMethod = !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method));
        if (unsafeMethod && ForeignOrigin(http))
        {
            return Results.Json(new ConsoleError("INVALID_ORIGIN", "Cross-origin request refused."), ConsoleApi.Json, statusCode: 403);
        }
        var remote = http.Connection.RemoteIpAddress is { } ip ? new System.Net.IPEndPoint(ip, http.Connection.RemotePort) : null;
        if (!LoginRequired)
        {
            http.Items[CallerItem] = new ConsoleCaller(ConsoleCaller.Anonymous.Principal, remote);
            return await next(context).ConfigureAwait(false);
        }
        ConsoleSession? session = Touch(http, _sessions.Find(http.Request.Cookies[CookieName]));
        if (session is null)
        {
            return Results.Json(new ConsoleError("NOT_AUTHENTICATED", "Log in first (POST /api/login)."), ConsoleApi.Json, statusCode: 401);
        }
        if (unsafeMethod && !CsrfMatches(http, session))
        {
            return Results.Json(new ConsoleError("INVALID_CSRF_TOKEN", $"Missing or wrong {CsrfHeader} header."), ConsoleApi.Json, statusCode: 403);
        }
        http.Items[CallerItem] = new ConsoleCaller(session.Principal, remote);
        return await next(context).ConfigureAwait(false);
    }

    /// <summary>Activity on a live session: a new cookie with the last activity moved forward when it is due.</summary>
    private ConsoleSession? Touch(HttpContext http, ConsoleSession? session)
    {
        if (session is null)
        {
            return null;
        }
        DateTimeOffset activeAt = TimeProvider.System.GetUtcNow();
        if (long.TryParse(http.Request.Headers[IdleHeader], NumberStyles.None, CultureInfo.InvariantCulture, out long idleMs))
        {
            activeAt -= TimeSpan.FromMilliseconds(Math.Min(idleMs, (long)_sessions.IdleTimeout.TotalMilliseconds));
        }
        if (_sessions.Refresh(session, activeAt) is not { } refreshed)
        {
            return session;
        }
        SetCookie(http, refreshed);
        return refreshed;
    }

    private void SetCookie(HttpContext http, ConsoleSession session) =>
        http.Response.Cookies.Append(CookieName, session.Token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/",
            MaxAge = TimeSpan.FromSeconds(Math.Ceiling((session.ExpiresAt - TimeProvider.System.GetUtcNow()).TotalSeconds)),
        });

    private static bool CsrfMatches(HttpContext http, ConsoleSession session)
    {
        string? sent = http.Request.Headers[CsrfHeader];
        return sent is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(session.CsrfToken));
    }

    /// <summary>True when the request names an Origin that is not this listener (a page from elsewhere posting here).</summary>
    private static bool ForeignOrigin(HttpContext http)
    {
        string? origin = http.Request.Headers.Origin;
        if (string.IsNullOrEmpty(origin))
        {
            return false;
        }
        return !Uri.TryCreate(origin, UriKind.Absolute, out Uri? uri)
            || !string.Equals(uri.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(uri.Scheme, http.Request.Scheme, StringComparison.OrdinalIgnoreCase);
    }

    private static Task Json<T>(HttpContext http, int status, T value)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(value, ConsoleApi.Json);
    }
}

internal sealed record LoginRequest(string? Username, string? Password, string? Token = null);

internal sealed record SessionAnswer(bool Authenticated, bool LoginRequired, bool AuthorizerEnabled, string? Principal, string? CsrfToken, bool CanAlterCluster,
    bool CanDescribeCluster, DateTimeOffset? ExpiresAt, DateTimeOffset? IdleExpiresAt);
