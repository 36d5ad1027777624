using System.Net;
using Rill.Broker.Security;

namespace Rill.Broker.Tests.Security;

public class FailedLoginLimiterTests
{
    private static readonly IPEndPoint Attacker = new(IPAddress.Parse("10.0.0.1"), 5000);
    private static readonly IPEndPoint Other = new(IPAddress.Parse("10.0.0.2"), 5000);

    [Fact]
    public void An_address_is_blocked_after_n_failures_within_a_minute_and_released_after()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var limiter = new FailedLoginLimiter(3, time);
        for (int i = 0; i < 2; i++)
        {
            limiter.Record(new IPEndPoint(Attacker.Address, 6000 + i));
        }
        Assert.False(limiter.IsBlocked(Attacker));
        limiter.Record(Attacker);
        Assert.True(limiter.IsBlocked(new IPEndPoint(Attacker.Address, 7000)));
        Assert.False(limiter.IsBlocked(Other));
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.False(limiter.IsBlocked(Attacker));
    }

    [Fact]
    public void Zero_turns_the_limit_off()
    {
        var limiter = new FailedLoginLimiter(0, new FakeTimeProvider(DateTimeOffset.UtcNow));
        for (int i = 0; i < 100; i++)
        {
            limiter.Record(Attacker);
        }
        Assert.False(limiter.IsBlocked(Attacker));
    }
}
