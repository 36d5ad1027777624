namespace Rill.Interop.Tests.Security;

/// <summary>kcat (librdkafka) over SSL, SASL_PLAINTEXT and SASL_SSL with PLAIN, against <see cref="SecureBrokerFixture"/>.</summary>
public class SecurityKcatTests(SecureBrokerFixture fixture) : IClassFixture<SecureBrokerFixture>
{
    private string[] Ssl => ["-X", "security.protocol=ssl", "-X", $"ssl.ca.location={fixture.Certificates.CaPem}"];

    private string[] Sasl(string protocol, string password = SecureBrokerFixture.Password) =>
        ["-X", $"security.protocol={protocol}", "-X", "sasl.mechanisms=PLAIN",
         "-X", $"sasl.username={SecureBrokerFixture.User}", "-X", $"sasl.password={password}"];

    private async Task RoundTripAsync(string bootstrap, string[] security, string topic)
    {
        await ExternalTool.RunOkAsync("kcat", ["-b", bootstrap, .. security, "-P", "-t", topic], stdin: "one\ntwo\nthree\n");
        string output = await ExternalTool.RunOkAsync("kcat", ["-b", bootstrap, .. security, "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%s\\n"]);
        Assert.Equal(["one", "two", "three"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public Task Produce_and_consume_over_ssl() => RoundTripAsync(fixture.Ssl, Ssl, "kcat-ssl");

    [Fact]
    public Task Produce_and_consume_over_mutual_tls_with_a_client_certificate() => RoundTripAsync(fixture.Ssl,
        [.. Ssl, "-X", $"ssl.certificate.location={fixture.Certificates.ClientCertPem}", "-X", $"ssl.key.location={fixture.Certificates.ClientKeyPem}"],
        "kcat-mtls");

    [Fact]
    public Task Produce_and_consume_over_sasl_plaintext_with_plain() => RoundTripAsync(fixture.SaslPlaintext, Sasl("sasl_plaintext"), "kcat-sasl");

    [Fact]
    public Task Produce_and_consume_over_sasl_ssl_with_plain() =>
        RoundTripAsync(fixture.SaslSsl, [.. Sasl("sasl_ssl"), "-X", $"ssl.ca.location={fixture.Certificates.CaPem}"], "kcat-sasl-ssl");

    [Fact]
    public async Task A_wrong_password_is_refused_and_counted_and_the_listener_keeps_serving()
    {
        long failedBefore = fixture.Broker.Host.Broker.Security.FailedLogins;
        ExternalTool.Result result = await ExternalTool.RunAsync("kcat",
            ["-b", fixture.SaslPlaintext, .. Sasl("sasl_plaintext", "wrong"), "-L", "-m", "3"], timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Authentication failed", result.Stdout + result.Stderr);
        Assert.True(fixture.Broker.Host.Broker.Security.FailedLogins > failedBefore);
        await RoundTripAsync(fixture.SaslPlaintext, Sasl("sasl_plaintext"), "kcat-after-failure");
    }

    [Fact]
    public async Task A_tls_client_that_does_not_trust_the_broker_certificate_fails()
    {
        ExternalTool.Result result = await ExternalTool.RunAsync("kcat",
            ["-b", fixture.Ssl, "-X", "security.protocol=ssl", "-X", "ssl.ca.location=/etc/ssl/certs/ca-certificates.crt", "-L", "-m", "3"],
            timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, result.ExitCode);
    }
}
