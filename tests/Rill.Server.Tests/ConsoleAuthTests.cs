using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rill.Server.Tests;

/// <summary>
/// The console on a secured `rill serve` (StandardAuthorizer, a SASL_PLAINTEXT listener with PLAIN and
/// SCRAM): 401 without a login, logins checked against the broker's PLAIN and SCRAM users (kcat logs in
/// with the same SCRAM user), the session cookie's flags, CSRF and Origin checks, every call as the
/// logged-in principal through the ACLs (hidden topics, 403 with Kafka's error names), logout, and the
/// per-IP failed-login limit shared with the SASL path.
/// </summary>
public class ConsoleAuthTests
{
    private const string Jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required user_admin=\"admin-secret\";";

    /// <summary>One browser: its cookie (set by hand, to check the Set-Cookie flags) and CSRF token.</summary>
    private sealed class Client(Uri address) : IDisposable
    {
        private readonly HttpClient _http = new(new HttpClientHandler { UseCookies = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        public string? Cookie { get; set; }
        public string? Csrf { get; set; }
        public string? SetCookie { get; private set; }

        public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null,
            bool csrf = true, string? origin = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            if (Cookie is not null)
            {
                request.Headers.Add("Cookie", "rill_console_session=" + Cookie);
            }
            if (csrf && Csrf is not null)
            {
                request.Headers.Add("X-Rill-Csrf", Csrf);
            }
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }
            using HttpResponseMessage response = await _http.SendAsync(request);
            SetCookie = response.Headers.TryGetValues("Set-Cookie", out var values) ? string.Join("\n", values) : null;
            string text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }

        public Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

        public async Task<HttpStatusCode> LoginAsync(string user, string password)
        {
            var (status, body) = await SendAsync(HttpMethod.Post, "/api/login", new { username = user, password });
            if (status == HttpStatusCode.OK)
            {
                Cookie = SetCookie!.Split(';')[0].Split('=', 2)[1];
                Csrf = body.GetProperty("csrfToken").GetString();
            }
            return status;
        }

        public void Dispose() => _http.Dispose();
    }

    private static string Error(JsonElement body) => body.GetProperty("error").GetString()!;

    [Fact]
    public async Task Login_sessions_csrf_and_acls_decide_what_the_console_shows_and_does()
    {
        await using var broker = await RillProcess.StartAsync(
            "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
            "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512",
            "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + Jaas,
            "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users=User:admin",
            "connection.failed.authentication.delay.ms=0",
            "rill.sasl.max.failed.logins.per.ip=4");
        using var anonymous = new Client(broker.HttpAddress!);
        using var admin = new Client(broker.HttpAddress!);
        using var carol = new Client(broker.HttpAddress!);

        // No session: the API answers 401 and /api/session says a login is needed.
        var (status, body) = await anonymous.GetAsync("/api/topics");
        Assert.Equal((HttpStatusCode.Unauthorized, "NOT_AUTHENTICATED"), (status, Error(body)));
        (status, body) = await anonymous.GetAsync("/api/session");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("authenticated").GetBoolean());
        Assert.True(body.GetProperty("loginRequired").GetBoolean());
        (status, _) = await anonymous.SendAsync(HttpMethod.Post, "/api/topics", new { name = "sneaky" });
        Assert.Equal(HttpStatusCode.Unauthorized, status);

        // A wrong password (1 failure of the 4 allowed per minute), then the PLAIN user of the JAAS config.
        Assert.Equal(HttpStatusCode.Unauthorized, await admin.LoginAsync("admin", "wrong"));
        Assert.Equal(HttpStatusCode.OK, await admin.LoginAsync("admin", "admin-secret"));
        Assert.Matches("(?i)httponly", admin.SetCookie!);
        Assert.Matches("(?i)samesite=strict", admin.SetCookie!);
        Assert.Matches("(?i)max-age=28800", admin.SetCookie!);
        Assert.True(admin.Cookie!.Length >= 43, "the session token carries a 128-bit id and a 256-bit mac");
        (status, body) = await admin.GetAsync("/api/session");
        Assert.Equal("User:admin", body.GetProperty("principal").GetString());
        Assert.True(body.GetProperty("canAlterCluster").GetBoolean());

        // State-changing calls need the CSRF token and refuse foreign origins.
        (status, body) = await admin.SendAsync(HttpMethod.Post, "/api/topics", new { name = "visible", partitions = 1 }, csrf: false);
        Assert.Equal((HttpStatusCode.Forbidden, "INVALID_CSRF_TOKEN"), (status, Error(body)));
        (status, body) = await admin.SendAsync(HttpMethod.Post, "/api/topics", new { name = "visible", partitions = 1 }, origin: "http://evil.example");
        Assert.Equal((HttpStatusCode.Forbidden, "INVALID_ORIGIN"), (status, Error(body)));
        string csrf = admin.Csrf!;
        admin.Csrf = "forged";
        (status, _) = await admin.SendAsync(HttpMethod.Post, "/api/topics", new { name = "visible", partitions = 1 });
        Assert.Equal(HttpStatusCode.Forbidden, status);
        admin.Csrf = csrf;
        foreach (string topic in new[] { "visible", "hidden" })
        {
            (status, body) = await admin.SendAsync(HttpMethod.Post, "/api/topics", new { name = topic, partitions = 1 }, origin: broker.HttpAddress!.GetLeftPart(UriPartial.Authority));
            Assert.True(status == HttpStatusCode.Created, body.ToString());
        }

        // The admin creates a SCRAM user and its ACLs from the console: READ (so DESCRIBE) on "visible" only.
        (status, body) = await admin.SendAsync(HttpMethod.Put, "/api/users/carol", new { password = "carol-pw", mechanism = "SCRAM-SHA-512" });
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        (status, body) = await admin.SendAsync(HttpMethod.Post, "/api/acls",
            new { principal = "User:carol", resourceType = "TOPIC", resourceName = "visible", operation = "READ", permission = "ALLOW", host = "*" });
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        (status, body) = await admin.GetAsync("/api/acls");
        Assert.Contains(body.EnumerateArray(), a => a.GetProperty("principal").GetString() == "User:carol" && a.GetProperty("operation").GetString() == "READ");

        // kcat logs in with the same SCRAM user on the SASL listener (one user store), and is held to the same ACLs.
        int saslPort = await SaslPortAsync(broker);
        string[] kcatSasl = ["-b", $"127.0.0.1:{saslPort}", "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-512",
            "-X", "sasl.username=carol", "-X", "sasl.password=carol-pw"];
        string listed = await ExternalTool.RunOkAsync("kcat", [.. kcatSasl, "-L"], timeout: TimeSpan.FromSeconds(60));
        Assert.Contains("topic \"visible\"", listed);
        Assert.DoesNotContain("topic \"hidden\"", listed);

        // Carol in the console: a wrong password is refused, the SCRAM password logs in.
        Assert.Equal(HttpStatusCode.Unauthorized, await carol.LoginAsync("carol", "nope"));
        Assert.Equal(HttpStatusCode.OK, await carol.LoginAsync("carol", "carol-pw"));
        (status, body) = await carol.GetAsync("/api/topics");
        Assert.Equal(["visible"], body.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray());
        (status, body) = await carol.GetAsync("/api/cluster");
        Assert.Equal(1, body.GetProperty("topics").GetInt32()); // the overview counts what carol may DESCRIBE
        (status, body) = await carol.GetAsync("/api/topics/hidden");
        Assert.Equal((HttpStatusCode.Forbidden, "TOPIC_AUTHORIZATION_FAILED"), (status, Error(body)));
        (status, body) = await carol.GetAsync("/api/topics/no-such-topic");
        Assert.Equal((HttpStatusCode.Forbidden, "TOPIC_AUTHORIZATION_FAILED"), (status, Error(body))); // existence is not revealed
        (status, _) = await carol.GetAsync("/api/topics/visible/messages?from=oldest");
        Assert.Equal(HttpStatusCode.OK, status);
        (status, body) = await carol.SendAsync(HttpMethod.Post, "/api/topics/visible/messages", new { partition = 0, value = "x" });
        Assert.Equal((HttpStatusCode.Forbidden, "TOPIC_AUTHORIZATION_FAILED"), (status, Error(body)));
        (status, body) = await carol.SendAsync(HttpMethod.Put, "/api/topics/visible/configs", new { set = new Dictionary<string, string> { ["retention.ms"] = "1000" } });
        Assert.Equal((HttpStatusCode.Forbidden, "TOPIC_AUTHORIZATION_FAILED"), (status, Error(body)));
        (status, body) = await carol.GetAsync("/api/broker/configs");
        Assert.Equal((HttpStatusCode.Forbidden, "CLUSTER_AUTHORIZATION_FAILED"), (status, Error(body)));
        (status, body) = await carol.GetAsync("/api/acls");
        Assert.Equal((HttpStatusCode.Forbidden, "CLUSTER_AUTHORIZATION_FAILED"), (status, Error(body)));
        (status, body) = await carol.SendAsync(HttpMethod.Post, "/api/topics", new { name = "carols" });
        Assert.Equal((HttpStatusCode.Forbidden, "TOPIC_AUTHORIZATION_FAILED"), (status, Error(body)));
        (status, body) = await carol.SendAsync(HttpMethod.Post, "/api/groups/g1/reset-offsets", new { topic = "visible", to = "earliest" });
        Assert.Equal((HttpStatusCode.Forbidden, "GROUP_AUTHORIZATION_FAILED"), (status, Error(body)));

        // Granted WRITE, the same produce passes: the ACL, not the console, decided.
        (status, _) = await admin.SendAsync(HttpMethod.Post, "/api/acls",
            new { principal = "User:carol", resourceType = "TOPIC", resourceName = "visible", operation = "WRITE", permission = "ALLOW", host = "*" });
        Assert.Equal(HttpStatusCode.Created, status);
        (status, body) = await carol.SendAsync(HttpMethod.Post, "/api/topics/visible/messages", new { partition = 0, value = "from-carol" });
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        Assert.Contains("from-carol", await ExternalTool.RunOkAsync("kcat", [.. kcatSasl, "-C", "-t", "visible", "-o", "0", "-c", "1", "-e", "-q"],
            timeout: TimeSpan.FromSeconds(60)));

        // Logout ends the session on the server: the old cookie is refused.
        string oldCookie = carol.Cookie!;
        (status, _) = await carol.SendAsync(HttpMethod.Post, "/api/logout", csrf: false);
        Assert.Equal(HttpStatusCode.Forbidden, status); // logout is state-changing too
        (status, _) = await carol.SendAsync(HttpMethod.Post, "/api/logout");
        Assert.Equal(HttpStatusCode.NoContent, status);
        carol.Cookie = oldCookie;
        (status, body) = await carol.GetAsync("/api/topics");
        Assert.Equal((HttpStatusCode.Unauthorized, "NOT_AUTHENTICATED"), (status, Error(body)));

        // Brute force: failures 3 and 4 of this address, then even the right password is refused unchecked (429),
        // and the SASL listener refuses this address as well (one limiter).
        Assert.Equal(HttpStatusCode.Unauthorized, await carol.LoginAsync("carol", "guess-1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await carol.LoginAsync("carol", "guess-2"));
        Assert.Equal((HttpStatusCode)429, await carol.LoginAsync("carol", "carol-pw"));
        var refused = await ExternalTool.RunAsync("kcat", [.. kcatSasl, "-L", "-m", "5"], timeout: TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, refused.ExitCode);
    }

    /// <summary>The SASL_PLAINTEXT listener's port: the start-up line ("Rill listening on ...") of the listener that is not the first.</summary>
    private static async Task<int> SaslPortAsync(RillProcess broker)
    {
        int port = 0;
        await Eventually.TrueAsync(() =>
        {
            port = System.Text.RegularExpressions.Regex.Matches(broker.Output, @"Rill listening on 127\.0\.0\.1:(\d+) \(kafka\)")
                .Select(m => int.Parse(m.Groups[1].Value)).FirstOrDefault(p => p != broker.Port);
            return port != 0;
        }, "the second listener is up", TimeSpan.FromSeconds(10));
        return port;
    }
}
