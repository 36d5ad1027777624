using Microsoft.Playwright;

namespace Rill.Console.BrowserTests;

/// <summary>
/// Console sessions in chromium: an OAUTHBEARER user logs in on the login page's token form, and a page left
/// alone (still polling the API every 2 s) goes back to the login page once the idle timeout has passed.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleSessionBrowserTests(ConsoleFixture fixture) : IAsyncLifetime
{
    private const string Issuer = "https://issuer.rill.test", Audience = "rill-broker";
    private const string Jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required user_admin=\"admin-secret\";";
    private readonly TestJwt _jwt = new();
    private readonly TempDirectory _dir = new();
    private RillProcess _broker = null!;

    public async Task InitializeAsync()
    {
        string jwks = _dir.Sub("jwks.json");
        await File.WriteAllTextAsync(jwks, _jwt.Jwks());
        _broker = await RillProcess.StartAsync(
            "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
            "sasl.enabled.mechanisms=PLAIN,OAUTHBEARER",
            "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + Jaas,
            "sasl.oauthbearer.jwks.endpoint.url=" + new Uri(jwks).AbsoluteUri,
            "sasl.oauthbearer.expected.issuer=" + Issuer,
            "sasl.oauthbearer.expected.audience=" + Audience,
            "connection.failed.authentication.delay.ms=0",
            "rill.console.session.idle.timeout.ms=4000");
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _jwt.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task An_oauthbearer_user_logs_in_with_a_token_and_an_idle_page_returns_to_the_login()
    {
        IBrowserContext context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        await using var _ = context;
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_broker.HttpAddress!, "/console/#/").ToString());
        await page.WaitForSelectorAsync("#view[data-loaded='login']", new PageWaitForSelectorOptions { Timeout = 30_000 });

        string token = _jwt.Rs256(new { sub = "svc", iss = Issuer, aud = Audience, iat = TestJwt.Now, exp = TestJwt.Now + 600 });
        await page.FillAsync("#login-token-value", "not-a-jwt");
        await page.ClickAsync("#login-token-submit");
        await page.WaitForSelectorAsync("#login-token-error:has-text('SASL_AUTHENTICATION_FAILED')");
        await page.FillAsync("#login-token-value", token);
        await page.ClickAsync("#login-token-submit");
        await page.WaitForSelectorAsync("#view[data-loaded='overview']", new PageWaitForSelectorOptions { Timeout = 30_000 });
        Assert.Equal("User:svc", await page.InnerTextAsync("#whoami"));

        // Nobody touches the page; its 2 s polling does not count as activity, so after 4 s it is logged out.
        await page.WaitForSelectorAsync("#view[data-loaded='login']", new PageWaitForSelectorOptions { Timeout = 30_000 });
        Assert.Equal(401, await page.EvaluateAsync<int>("async () => (await fetch('/api/topics')).status"));
    }
}
