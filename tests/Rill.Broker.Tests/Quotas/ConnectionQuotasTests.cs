using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Broker.Config;
using Rill.Broker.Quotas;

namespace Rill.Broker.Tests.Quotas;

/// <summary>ConnectionQuotas on a fake clock: listener limits, creation-rate throttles, per-ip overrides.</summary>
public class ConnectionQuotasTests
{
    private readonly FakeTimeProvider _clock = new();
    private static readonly IPAddress Local = IPAddress.Loopback;

    private ConnectionQuotas Create(params (string, string)[] properties)
    {
        BrokerConfig config = BrokerConfig.FromProperties(properties.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)));
        return new ConnectionQuotas(() => config, new ClientQuotaConfigs(new InMemoryClientQuotaStore()), _clock, NullLogger.Instance, 2, 1000);
    }

    [Fact]
    public async Task A_listener_limit_holds_connections_of_that_listener_only()
    {
        var quotas = Create(("listener.name.external.max.connections", "1"));
        var (first, _) = await quotas.AcquireAsync("EXTERNAL", Local, default);
        Assert.NotNull(first);
        var waiting = quotas.AcquireAsync("EXTERNAL", Local, default).AsTask();
        var (other, _) = await quotas.AcquireAsync("INTERNAL", Local, default);
        Assert.NotNull(other);
        Assert.False(waiting.IsCompleted);
        first!.Dispose();
        var (second, refusal) = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(second);
        Assert.Equal(ConnectionRefusal.None, refusal);
        Assert.Equal(2, quotas.Total);
    }

    [Fact]
    public async Task Over_max_connection_creation_rate_a_connection_waits_for_its_throttle()
    {
        var quotas = Create(("max.connection.creation.rate", "2"));
        Assert.NotNull((await quotas.AcquireAsync("PLAINTEXT", Local, default)).Slot);
        Assert.NotNull((await quotas.AcquireAsync("PLAINTEXT", Local, default)).Slot);
        // The third in the same instant: 3 per 1 s window against 2/s, throttle (3 - 2) / 2 x 1,000 ms.
        var third = quotas.AcquireAsync("PLAINTEXT", Local, default).AsTask();
        Assert.False(third.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(third.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.NotNull((await third.WaitAsync(TimeSpan.FromSeconds(10))).Slot);
    }

    [Fact]
    public async Task An_ip_over_its_connection_creation_rate_is_refused_after_the_throttle_and_not_counted()
    {
        var configs = new ClientQuotaConfigs(new InMemoryClientQuotaStore());
        configs.Alter([("ip", null)], [new QuotaOp(QuotaKeys.ConnectionCreationRate, 1, false)], false);
        BrokerConfig config = BrokerConfig.Default;
        var quotas = new ConnectionQuotas(() => config, configs, _clock, NullLogger.Instance, 2, 1000);
        Assert.NotNull((await quotas.AcquireAsync(null, Local, default)).Slot);
        var second = quotas.AcquireAsync(null, Local, default).AsTask();
        Assert.False(second.IsCompleted);
        Assert.Equal(1, quotas.Total); // the refused connection holds no place while it waits to be closed
        _clock.Advance(TimeSpan.FromSeconds(1));
        var (slot, refusal) = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(slot);
        Assert.Equal(ConnectionRefusal.IpCreationRate, refusal);
        // Another ip has its own rate under the default entity.
        Assert.NotNull((await quotas.AcquireAsync(null, IPAddress.Parse("10.0.0.9"), default)).Slot);
    }

    [Fact]
    public void Per_ip_overrides_parse_addresses_and_host_names_and_refuse_garbage()
    {
        var overrides = ConnectionLimits.ParseOverrides("127.0.0.1:5, localhost:7 ,[::1]:3");
        Assert.Equal(3, overrides[IPAddress.IPv6Loopback]);
        Assert.Equal(7, overrides[IPAddress.Loopback]); // localhost resolves to 127.0.0.1 too; the later entry wins
        Assert.Throws<ConfigException>(() => ConnectionLimits.ParseOverrides("127.0.0.1"));
        Assert.Throws<ConfigException>(() => ConnectionLimits.ParseOverrides("127.0.0.1:-1"));
    }
}
