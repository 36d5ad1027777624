using System.Diagnostics.Metrics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests.Quotas;

/// <summary>Counts one instrument of the Rill.Broker meter while a test runs.</summary>
internal sealed class InstrumentCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public InstrumentCounter(string name)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Metrics.BrokerMeters.MeterName && instrument.Name == name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}

public class MaxConnectionsPerIpTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string>? Properties => new Dictionary<string, string>
    {
        ["max.connections.per.ip"] = "2",
    };

    [Fact]
    public async Task A_connection_over_max_connections_per_ip_is_closed_and_counted_and_the_others_keep_working()
    {
        using var refused = new InstrumentCounter("rill.connection.refused");
        await using var first = await ConnectAsync();
        await using var second = await ConnectAsync();
        await first.RequestAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest());
        await second.RequestAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest());
        await using var third = await ConnectAsync();
        Assert.True(await third.IsClosedByPeerAsync());
        await Eventually.TrueAsync(() => refused.Total >= 1, "rill.connection.refused counted the refusal");
        await first.RequestAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest());

        // Closing one frees its place for a new connection.
        await second.DisposeAsync();
        await Eventually.TrueAsync(() => Broker.Host.Broker.Quotas.Connections.Total == 1, "the closed connection's place is freed");
        await using var fourth = await ConnectAsync();
        await fourth.RequestAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest());
    }
}

public class MaxConnectionsPerIpOverrideTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string>? Properties => new Dictionary<string, string>
    {
        ["max.connections.per.ip"] = "0",
        ["max.connections.per.ip.overrides"] = "127.0.0.1:1",
    };

    [Fact]
    public async Task An_override_sets_the_limit_of_its_address()
    {
        await using var first = await ConnectAsync();
        await first.RequestAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest());
        await using var second = await ConnectAsync();
        Assert.True(await second.IsClosedByPeerAsync());
    }
}

public class MaxConnectionsTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string>? Properties => new Dictionary<string, string>
    {
        ["max.connections"] = "1",
    };

    [Fact]
    public async Task Over_max_connections_a_new_connection_waits_until_a_place_is_free()
    {
        using var blocked = new InstrumentCounter("rill.connection.blocked");
        await using var first = await ConnectAsync();
        await first.RequestAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest());
        await using var second = await ConnectAsync();
        Task<ApiVersionsResponse> waiting = second.RequestAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest());
        await Eventually.TrueAsync(() => blocked.Total >= 1, "the second connection waits for max.connections");
        Assert.False(waiting.IsCompleted);
        await first.DisposeAsync();
        var answered = await waiting;
        Assert.Equal(0, answered.ErrorCode);
    }
}

public class IpConnectionCreationRateTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string>? Properties => new Dictionary<string, string>
    {
        ["quota.window.num"] = "2",
        ["quota.window.size.seconds"] = "1",
    };

    [Fact]
    public async Task Connections_over_the_ips_connection_creation_rate_are_closed()
    {
        using var refused = new InstrumentCounter("rill.connection.refused");
        await using (var admin = await ConnectAsync())
        {
            await QuotaWire.SetAsync(admin, "connection_creation_rate", 2, ("ip", "127.0.0.1"));
        }
        var clients = new List<WireClient>();
        try
        {
            for (int i = 0; i < 10; i++)
            {
                clients.Add(await ConnectAsync()); // a burst of ten against 2 per second
            }
            var closedByBroker = clients.Select(c => c.IsClosedByPeerAsync()).ToList();
            Task<bool> first = await Task.WhenAny(closedByBroker).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.True(await first, "no connection of the burst was closed");
            await Eventually.TrueAsync(() => refused.Total >= 1, "rill.connection.refused counted the ip throttle");
        }
        finally
        {
            foreach (var c in clients)
            {
                await c.DisposeAsync();
            }
        }
    }
}
