using System.Net;
using System.Text.Json;

namespace Rill.Server.Tests;

/// <summary>
/// Console sessions against a real `rill serve` with a SASL_PLAINTEXT listener (PLAIN, OAUTHBEARER): a login
/// survives a broker restart, a logout revokes the session also after the next restart, an OAUTHBEARER user
/// logs in with a token the broker's validator accepts (and not with a bad one). The idle timeout is checked by
/// ConsoleSessionTokenTests (fake clock) and ConsoleSessionBrowserTests (chromium).
/// </summary>
public class ConsoleSessionRestartTests
{
    private const string Issuer = "https://issuer.rill.test", Audience = "rill-broker";
    private const string Jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required user_admin=\"admin-secret\";";

    private static Task<(HttpStatusCode Status, JsonElement Body, string? Cookie)> SendAsync(Uri address, HttpMethod method, string path,
        string? cookie = null, object? body = null, string? csrf = null) => ConsoleHttp.SendAsync(address, method, path, cookie, body, csrf);

    [Fact]
    public async Task A_login_survives_a_restart_logout_revokes_it_and_an_oauthbearer_token_logs_in()
    {
        using var jwt = new TestJwt();
        using var dir = new TempDirectory();
        string jwks = dir.Sub("jwks.json");
        await File.WriteAllTextAsync(jwks, jwt.Jwks());
        await using var broker = await RillProcess.StartAsync(
            "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
            "sasl.enabled.mechanisms=PLAIN,OAUTHBEARER",
            "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + Jaas,
            "sasl.oauthbearer.jwks.endpoint.url=" + new Uri(jwks).AbsoluteUri,
            "sasl.oauthbearer.expected.issuer=" + Issuer,
            "sasl.oauthbearer.expected.audience=" + Audience,
            "connection.failed.authentication.delay.ms=0");

        var (status, body, cookie) = await SendAsync(broker.HttpAddress!, HttpMethod.Post, "/api/login", body: new { username = "admin", password = "admin-secret" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(cookie);
        string csrf = body.GetProperty("csrfToken").GetString()!;
        (status, _, _) = await SendAsync(broker.HttpAddress!, HttpMethod.Get, "/api/topics", cookie);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(File.Exists(Path.Combine(broker.DataDirectory, "rill-console-sessions.json")));

        // A restart keeps the login (the key is in the data dir); the CSRF token is the same.
        Assert.Equal(0, await broker.StopAsync());
        await broker.RestartAsync();
        (status, body, _) = await SendAsync(broker.HttpAddress!, HttpMethod.Get, "/api/session", cookie);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("authenticated").GetBoolean(), body.ToString());
        Assert.Equal(("User:admin", csrf), (body.GetProperty("principal").GetString(), body.GetProperty("csrfToken").GetString()));

        // Logout revokes it, also after the next restart.
        (status, _, _) = await SendAsync(broker.HttpAddress!, HttpMethod.Post, "/api/logout", cookie, csrf: csrf);
        Assert.Equal(HttpStatusCode.NoContent, status);
        (status, body, _) = await SendAsync(broker.HttpAddress!, HttpMethod.Get, "/api/topics", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(0, await broker.StopAsync());
        await broker.RestartAsync();
        (status, _, _) = await SendAsync(broker.HttpAddress!, HttpMethod.Get, "/api/topics", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, status);

        // OAUTHBEARER: a token the listener's validator accepts logs in as its subject; a wrong audience does not.
        string bad = jwt.Rs256(new { sub = "svc", iss = Issuer, aud = "someone-else", iat = TestJwt.Now, exp = TestJwt.Now + 600 });
        (status, body, _) = await SendAsync(broker.HttpAddress!, HttpMethod.Post, "/api/login", body: new { token = bad });
        Assert.Equal((HttpStatusCode.Unauthorized, "SASL_AUTHENTICATION_FAILED"), (status, body.GetProperty("error").GetString()));
        long exp = TestJwt.Now + 600;
        string token = jwt.Rs256(new { sub = "svc", iss = Issuer, aud = Audience, iat = TestJwt.Now, exp });
        (status, body, cookie) = await SendAsync(broker.HttpAddress!, HttpMethod.Post, "/api/login", body: new { token });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("User:svc", body.GetProperty("principal").GetString());
        Assert.Equal(exp, body.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds()); // the token's expiry bounds the session
        (status, _, _) = await SendAsync(broker.HttpAddress!, HttpMethod.Get, "/api/topics", cookie);
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
