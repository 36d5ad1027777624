using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Rill.Console.BrowserTests;

/// <summary>
/// The console of a secured `rill serve` (StandardAuthorizer, SASL PLAIN and SCRAM) in chromium: the
/// login page, a SCRAM user who sees only the topic it may DESCRIBE and whose produce without WRITE
/// is refused with Kafka's error on the page, logout; and the ACLs &amp; users page of a super user
/// adding an ACL that the broker then applies.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleLoginTests(ConsoleFixture fixture) : IAsyncLifetime
{
    private const string Jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required user_admin=\"admin-secret\";";
    private RillProcess _broker = null!;
    private readonly CookieContainer _cookies = new();
    private HttpClient _admin = null!;
    private string _csrf = "";

    public async Task InitializeAsync()
    {
        _broker = await RillProcess.StartAsync(
            "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
            "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512",
            "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + Jaas,
            "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users=User:admin",
            "connection.failed.authentication.delay.ms=0");
        _admin = new HttpClient(new HttpClientHandler { CookieContainer = _cookies }) { BaseAddress = _broker.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
        using HttpResponseMessage login = await _admin.PostAsJsonAsync("/api/login", new { username = "admin", password = "admin-secret" });
        login.EnsureSuccessStatusCode();
        _csrf = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("csrfToken").GetString()!;
        await AdminAsync(HttpMethod.Post, "/api/topics", new { name = "payments", partitions = 1 });
        await AdminAsync(HttpMethod.Post, "/api/topics", new { name = "salaries", partitions = 1 });
        await AdminAsync(HttpMethod.Put, "/api/users/dora", new { password = "dora-pw", mechanism = "SCRAM-SHA-512" });
        await AdminAsync(HttpMethod.Post, "/api/acls",
            new { principal = "User:dora", resourceType = "TOPIC", resourceName = "payments", operation = "READ", permission = "ALLOW", host = "*" });
    }

    private async Task AdminAsync(HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Rill-Csrf", _csrf);
        using HttpResponseMessage response = await _admin.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task DisposeAsync()
    {
        _admin?.Dispose();
        await _broker.DisposeAsync();
    }

    private async Task<(IBrowserContext Context, IPage Page, List<string> External)> NewPageAsync()
    {
        IBrowserContext context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        IPage page = await context.NewPageAsync();
        var external = new List<string>();
        page.Request += (_, r) =>
        {
            if (Uri.TryCreate(r.Url, UriKind.Absolute, out Uri? u) && u.Scheme is "http" or "https" && u.Authority != _broker.HttpAddress!.Authority)
            {
                external.Add(r.Url);
            }
        };
        return (context, page, external);
    }

    private Task WaitLoadedAsync(IPage page, string loaded)
        => page.WaitForSelectorAsync($"#view[data-loaded='{loaded}']", new PageWaitForSelectorOptions { Timeout = 30_000 });

    private static async Task LoginAsync(IPage page, string user, string password)
    {
        await page.FillAsync("#login-user", user);
        await page.FillAsync("#login-password", password);
        await page.ClickAsync("#login-submit");
    }

    [Fact]
    public async Task A_scram_user_logs_in_sees_only_what_it_may_describe_is_refused_a_produce_and_logs_out()
    {
        var (context, page, external) = await NewPageAsync();
        await using var _ = context;
        await page.GotoAsync(new Uri(_broker.HttpAddress!, "/console/#/topics").ToString());
        await WaitLoadedAsync(page, "login");
        Assert.True(await page.Locator("header.top nav").IsHiddenAsync());
        await Screenshots.SaveAsync(page, "login.png");

        await LoginAsync(page, "dora", "wrong");
        await page.WaitForSelectorAsync("#login-error:has-text('SASL_AUTHENTICATION_FAILED')");

        await LoginAsync(page, "dora", "dora-pw");
        await WaitLoadedAsync(page, "topics");
        Assert.Equal("User:dora", await page.InnerTextAsync("#whoami"));
        await page.WaitForSelectorAsync("#topics tr[data-topic='payments']");
        Assert.Equal(0, await page.Locator("#topics tr[data-topic='salaries']").CountAsync());

        // READ but no WRITE on payments: the produce is refused by the authorizer and the page says so.
        await page.GotoAsync(new Uri(_broker.HttpAddress!, "/console/#/topics/payments").ToString());
        await WaitLoadedAsync(page, "topic");
        await page.ClickAsync("[data-tab-button='produce']");
        await page.FillAsync("#produce-value", "not allowed");
        await page.ClickAsync("#produce-send");
        await page.WaitForSelectorAsync("#produce-result:has-text('TOPIC_AUTHORIZATION_FAILED')");
        using (HttpResponseMessage messages = await _admin.GetAsync("/api/topics/payments"))
        {
            JsonElement detail = await messages.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(0, detail.GetProperty("partitions")[0].GetProperty("highWatermark").GetInt64());
        }

        // Logout: back to the login page, and the browser's cookie no longer opens the API.
        await page.ClickAsync("#logout");
        await WaitLoadedAsync(page, "login");
        int status = await page.EvaluateAsync<int>("async () => (await fetch('/api/topics')).status");
        Assert.Equal(401, status);
        Assert.Empty(external);
    }

    [Fact]
    public async Task A_super_user_adds_an_acl_on_the_acls_and_users_page()
    {
        var (context, page, external) = await NewPageAsync();
        await using var _ = context;
        await page.GotoAsync(new Uri(_broker.HttpAddress!, "/console/#/security").ToString());
        await WaitLoadedAsync(page, "login");
        await LoginAsync(page, "admin", "admin-secret");
        await WaitLoadedAsync(page, "security");
        await page.WaitForSelectorAsync("#users tr[data-user='dora']");
        Assert.Contains("SCRAM-SHA-512", await page.InnerTextAsync("#users tr[data-user='dora']"));

        await page.FillAsync("#acl-principal", "User:dora");
        await page.SelectOptionAsync("#acl-type", "TOPIC");
        await page.FillAsync("#acl-name", "salaries");
        await page.SelectOptionAsync("#acl-operation", "DESCRIBE");
        await page.ClickAsync("#acl-submit");
        await page.WaitForSelectorAsync("#acls td:has-text('salaries')");
        await Screenshots.SaveAsync(page, "security.png");

        // The broker applies it: dora now sees salaries.
        using var dora = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = _broker.HttpAddress };
        (await dora.PostAsJsonAsync("/api/login", new { username = "dora", password = "dora-pw" })).EnsureSuccessStatusCode();
        JsonElement topics = await dora.GetFromJsonAsync<JsonElement>("/api/topics");
        Assert.Equal(["payments", "salaries"], topics.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray());
        Assert.Empty(external);
    }
}
