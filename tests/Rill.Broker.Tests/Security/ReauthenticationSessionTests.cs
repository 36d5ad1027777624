using Rill.Broker.Config;
using Rill.Broker.Security;
using Rill.Protocol;

namespace Rill.Broker.Tests.Security;

/// <summary>KIP-368 on one connection's session: lifetime, expiry, re-authentication rules.</summary>
public class ReauthenticationSessionTests
{
    private static (ConnectionSession Session, FakeTimeProvider Time) NewSession(string reauthMs)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var security = new BrokerSecurity(BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["listeners"] = "SASL_PLAINTEXT://127.0.0.1:0", ["sasl.enabled.mechanisms"] = "PLAIN",
            ["sasl.jaas.config"] = "org.apache.kafka.common.security.plain.PlainLoginModule required user_a=\"b\";",
            ["connections.max.reauth.ms"] = reauthMs,
        }), time);
        return (new ConnectionSession(security.For("SASL_PLAINTEXT"), null), time);
    }

    [Fact]
    public void The_session_expires_after_connections_max_reauth_ms_and_only_reauthentication_may_follow()
    {
        var (session, time) = NewSession("1000");
        Assert.False(session.MaySend(ApiKey.Metadata));
        Assert.Equal(1000, session.Authenticate("a"));
        Assert.True(session.MaySend(ApiKey.Metadata));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(session.MaySend(ApiKey.Produce));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(session.MaySend(ApiKey.Produce));
        Assert.True(session.MaySend(ApiKey.SaslHandshake));
        Assert.Equal(1000, session.Authenticate("a"));
        Assert.Equal(1, session.Reauthentications);
        Assert.True(session.MaySend(ApiKey.Produce));
    }

    [Fact]
    public void A_token_expiring_sooner_bounds_the_session_and_no_limit_means_zero()
    {
        var (session, time) = NewSession("60000");
        Assert.Equal(5000, session.Authenticate("a", time.GetUtcNow().AddSeconds(5)));
        var (unlimited, _) = NewSession("0");
        Assert.Equal(0, unlimited.Authenticate("a"));
        Assert.Null(unlimited.ExpiresAt);
    }

    [Fact]
    public void Reauthentication_as_another_principal_is_refused()
    {
        var (session, _) = NewSession("1000");
        session.Authenticate("a");
        Assert.Null(session.Authenticate("mallory"));
        Assert.Equal("User:a", session.Principal);
    }
}
