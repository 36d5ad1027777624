using System.Net;
using System.Security.Cryptography;
using Rill.Broker.Config;
using Rill.Broker.Security;
using Rill.Broker.Security.Scram;
using Rill.Protocol.Sasl;

namespace Rill.Broker.Tests.Security;

/// <summary>
/// The web console's password check: through the broker's own SCRAM server and credential store and the
/// listeners' PLAIN users; failures count as failed SASL logins and feed the same per-IP limiter.
/// </summary>
public class PasswordLoginTests
{
    private static readonly IPEndPoint Browser = new(IPAddress.Parse("10.1.2.3"), 50000);

    private static (BrokerSecurity Security, FakeTimeProvider Time) NewSecurity()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var security = new BrokerSecurity(BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["listeners"] = "SASL_PLAINTEXT://127.0.0.1:0", ["sasl.enabled.mechanisms"] = "PLAIN,SCRAM-SHA-256",
            ["sasl.jaas.config"] = "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-pw\";",
            ["rill.sasl.max.failed.logins.per.ip"] = "3",
        }), time);
        byte[] salt = RandomNumberGenerator.GetBytes(16);
        byte[] salted = ScramFunctions.SaltedPassword(ScramMechanism.ScramSha256, "bob-pw", salt, 4096);
        security.ScramCredentials.Apply([], [("bob", ScramMechanism.ScramSha256,
            ScramCredential.FromSaltedPassword(ScramMechanism.ScramSha256, salt, salted, 4096))]);
        return (security, time);
    }

    [Fact]
    public void Plain_and_scram_users_log_in_and_wrong_passwords_do_not()
    {
        var (security, _) = NewSecurity();
        var login = new PasswordLogin(security);
        Assert.True(login.AnySaslListener);
        Assert.Equal("User:alice", login.Verify("alice", "alice-pw", Browser).Principal);
        Assert.Equal("User:bob", login.Verify("bob", "bob-pw", Browser).Principal);
        LoginResult wrong = login.Verify("bob", "alice-pw", Browser);
        Assert.Null(wrong.Principal);
        Assert.False(wrong.Blocked);
        Assert.Null(login.Verify("nobody", "x", Browser).Principal);
        Assert.Null(login.Verify("", "", Browser).Principal);
        Assert.Equal(3, security.FailedLogins);
    }

    [Fact]
    public void Failures_block_the_address_for_console_and_sasl_alike_until_they_age_out()
    {
        var (security, time) = NewSecurity();
        var login = new PasswordLogin(security);
        for (int i = 0; i < 3; i++)
        {
            Assert.False(login.Verify("alice", "guess-" + i, Browser).Blocked);
        }
        LoginResult blocked = login.Verify("alice", "alice-pw", Browser);
        Assert.True(blocked.Blocked);
        Assert.Null(blocked.Principal);
        Assert.True(security.For("SASL_PLAINTEXT").IsBlocked(Browser)); // the Kafka listener refuses this address too
        Assert.Equal("User:alice", login.Verify("alice", "alice-pw", new IPEndPoint(IPAddress.Parse("10.9.9.9"), 1)).Principal);
        time.Advance(TimeSpan.FromMinutes(1.1));
        Assert.Equal("User:alice", login.Verify("alice", "alice-pw", Browser).Principal);
    }
}
