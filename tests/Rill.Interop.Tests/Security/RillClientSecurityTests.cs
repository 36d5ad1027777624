using System.Text.Json;
using Rill.Client;
using Rill.Protocol;

namespace Rill.Interop.Tests.Security;

/// <summary>
/// Rill.Client over every secured listener (SSL with a client certificate, SASL_PLAINTEXT and SASL_SSL
/// with PLAIN, SCRAM and OAUTHBEARER), and OAUTHBEARER with librdkafka (confluent-kafka-python's oauth_cb).
/// </summary>
public class RillClientSecurityTests(SecureBrokerFixture fixture) : IClassFixture<SecureBrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private async Task RoundTripAsync(Action<ClientConfig> secure, string bootstrap, string topic)
    {
        var producerConfig = new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 1 };
        secure(producerConfig);
        await using (var producer = new Producer<string, string>(producerConfig))
        {
            for (int i = 0; i < 5; i++)
            {
                await producer.ProduceAsync(topic, "k", $"v{i}").WaitAsync(Timeout);
            }
        }
        var consumerConfig = new ConsumerConfig { BootstrapServers = bootstrap, GroupId = topic + "-group", AutoOffsetReset = AutoOffsetReset.Earliest };
        secure(consumerConfig);
        await using var consumer = new Consumer<string, string>(consumerConfig);
        consumer.Subscribe(topic);
        var got = new List<string>();
        using var cts = new CancellationTokenSource(Timeout);
        await foreach (var r in consumer.ConsumeAsync(cts.Token))
        {
            got.Add(r.Value);
            if (got.Count == 5)
            {
                break;
            }
        }
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"v{i}"), got);
    }

    private void Scram(ClientConfig c, string mechanism, string protocol)
    {
        c.SecurityProtocol = protocol;
        c.SaslMechanism = mechanism;
        c.SaslUsername = SecureBrokerFixture.ScramUser;
        c.SaslPassword = SecureBrokerFixture.ScramPassword;
        c.SslCaLocation = fixture.Certificates.CaPem;
    }

    [Fact]
    public Task Scram_sha_512_over_sasl_ssl() => RoundTripAsync(c => Scram(c, "SCRAM-SHA-512", "SASL_SSL"), fixture.SaslSsl, "rc-scram512-ssl");

    [Fact]
    public Task Scram_sha_256_over_sasl_plaintext_set_by_librdkafka_names() => RoundTripAsync(c =>
    {
        Assert.True(c.Set("security.protocol", "sasl_plaintext"));
        Assert.True(c.Set("sasl.mechanisms", "SCRAM-SHA-256"));
        Assert.True(c.Set("sasl.username", SecureBrokerFixture.ScramUser));
        Assert.True(c.Set("sasl.password", SecureBrokerFixture.ScramPassword));
    }, fixture.SaslPlaintext, "rc-scram256");

    [Fact]
    public Task Plain_over_sasl_plaintext() => RoundTripAsync(c =>
    {
        c.SecurityProtocol = "SASL_PLAINTEXT";
        c.SaslUsername = SecureBrokerFixture.User;
        c.SaslPassword = SecureBrokerFixture.Password;
    }, fixture.SaslPlaintext, "rc-plain");

    [Fact]
    public Task Mutual_tls_over_ssl() => RoundTripAsync(c =>
    {
        c.SecurityProtocol = "SSL";
        c.SslCaLocation = fixture.Certificates.CaPem;
        c.SslCertificateLocation = fixture.Certificates.ClientCertPem;
        c.SslKeyLocation = fixture.Certificates.ClientKeyPem;
    }, fixture.Ssl, "rc-mtls");

    [Fact]
    public Task Oauthbearer_with_a_static_token_over_sasl_ssl() => RoundTripAsync(c =>
    {
        c.SecurityProtocol = "SASL_SSL";
        c.SslCaLocation = fixture.Certificates.CaPem;
        c.SaslMechanism = "OAUTHBEARER";
        c.SaslOauthbearerToken = fixture.Token("token-user");
    }, fixture.SaslSsl, "rc-oauth");

    private async Task<KafkaException> RefusedAsync(Action<AdminClientConfig> secure, string bootstrap)
    {
        var config = new AdminClientConfig { BootstrapServers = bootstrap };
        secure(config);
        await using var admin = new AdminClient(config);
        return await Assert.ThrowsAsync<KafkaException>(() => admin.ListTopicsAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task Wrong_password_expired_and_forged_tokens_and_an_untrusted_ca_are_refused()
    {
        long failedBefore = fixture.Broker.Host.Broker.Security.FailedLogins;
        var wrong = await RefusedAsync(c => { Scram(c, "SCRAM-SHA-256", "SASL_PLAINTEXT"); c.SaslPassword = "nope"; }, fixture.SaslPlaintext);
        Assert.Equal(ErrorCode.SaslAuthenticationFailed, wrong.ErrorCode);
        var expired = await RefusedAsync(c =>
        {
            c.SecurityProtocol = "SASL_PLAINTEXT";
            c.SaslMechanism = "OAUTHBEARER";
            c.SaslOauthbearerToken = fixture.Token("late", seconds: -120);
        }, fixture.SaslPlaintext);
        Assert.Equal(ErrorCode.SaslAuthenticationFailed, expired.ErrorCode);
        Assert.Contains("expired", expired.Message);
        using var stranger = new TestJwt();
        var forged = await RefusedAsync(c =>
        {
            c.SecurityProtocol = "SASL_PLAINTEXT";
            c.SaslMechanism = "OAUTHBEARER";
            c.SaslOauthbearerToken = stranger.Rs256(new { sub = "admin", iss = SecureBrokerFixture.Issuer, aud = SecureBrokerFixture.Audience, exp = TestJwt.Now + 600 });
        }, fixture.SaslPlaintext);
        Assert.Equal(ErrorCode.SaslAuthenticationFailed, forged.ErrorCode);
        Assert.True(fixture.Broker.Host.Broker.Security.FailedLogins >= failedBefore + 3);
        await RefusedAsync(c => { c.SecurityProtocol = "SSL"; c.SslCaLocation = "/etc/ssl/certs/ca-certificates.crt"; }, fixture.Ssl);
        await RoundTripAsync(c => Scram(c, "SCRAM-SHA-256", "SASL_PLAINTEXT"), fixture.SaslPlaintext, "rc-after-refusals");
    }

    [Fact]
    public async Task Confluent_python_oauthbearer_through_oauth_cb()
    {
        string Config(string token) => JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = fixture.SaslSsl, ["security.protocol"] = "SASL_SSL", ["sasl.mechanisms"] = "OAUTHBEARER",
            ["ssl.ca.location"] = fixture.Certificates.CaPem, ["oauth.token"] = token,
        });
        string script = Path.Combine(ExternalTool.ScriptsDirectory, "confluent_secure_roundtrip.py");
        string output = await ExternalTool.RunOkAsync(ExternalTool.Python, [script, Config(fixture.Token("py-oauth")), "ck-oauth"], timeout: TimeSpan.FromSeconds(90));
        Assert.Equal(string.Join(',', Enumerable.Range(0, 20).Select(i => $"v{i}")), output.Trim());

        long failedBefore = fixture.Broker.Host.Broker.Security.FailedLogins;
        ExternalTool.Result expired = await ExternalTool.RunAsync(ExternalTool.Python,
            ["-c", "import sys,json,time\nfrom confluent_kafka import Producer\nc=json.loads(sys.argv[1]);t=c.pop('oauth.token')\n"
                + "c['oauth_cb']=lambda _:(t,time.time()+60)\np=Producer(c)\np.produce('ck-oauth-expired',b'x')\nsys.exit(0 if p.flush(8)==0 else 3)",
             Config(fixture.Token("py-late", seconds: -300))], timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(3, expired.ExitCode);
        Assert.True(fixture.Broker.Host.Broker.Security.FailedLogins > failedBefore);
    }
}
