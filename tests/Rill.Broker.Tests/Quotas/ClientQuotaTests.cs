using System.Diagnostics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests.Quotas;

/// <summary>
/// Client quotas end to end on an embedded broker with 2 windows of 1 s (so a test's first burst is
/// short): a throttled producer is held near its quota while another client is not throttled, a
/// throttled fetch is answered empty, request time is throttled, quotas survive a restart.
/// </summary>
public class ClientQuotaTests(Xunit.Abstractions.ITestOutputHelper log) : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string>? Properties => new Dictionary<string, string>
    {
        ["quota.window.num"] = "2",
        ["quota.window.size.seconds"] = "1",
    };

    [Fact]
    public async Task A_throttled_producer_is_held_to_its_quota_while_another_client_is_not_throttled()
    {
        const int quota = 100_000; // bytes per second
        await using var admin = await ConnectAsync();
        await CreateTopicAsync(admin, "quota-produce");
        await QuotaWire.SetAsync(admin, "producer_byte_rate", quota, ("client-id", "slow"));

        await using var slow = await ConnectAsync();
        slow.ClientId = "slow";
        await using var fast = await ConnectAsync();
        fast.ClientId = "fast";
        byte[] batch = Batch(100, new string('x', 90)); // ~10 KB

        var run = TimeSpan.FromSeconds(4);
        long slowBytes = 0, slowThrottled = 0, fastRequests = 0, fastThrottle = 0;
        var clock = Stopwatch.StartNew();
        async Task Slow()
        {
            while (clock.Elapsed < run)
            {
                var r = await slow.RequestAsync<ProduceResponse>(ApiKey.Produce, 9, Produce("quota-produce", 0, batch));
                Assert.Equal(0, r.Responses[0].PartitionResponses[0].ErrorCode);
                slowBytes += batch.Length;
                slowThrottled += r.ThrottleTimeMs > 0 ? 1 : 0;
            }
        }
        async Task Fast()
        {
            while (clock.Elapsed < run)
            {
                var r = await fast.RequestAsync<ProduceResponse>(ApiKey.Produce, 9, Produce("quota-produce", 0, batch));
                fastRequests++;
                fastThrottle += r.ThrottleTimeMs;
            }
        }
        await Task.WhenAll(Task.Run(Slow), Task.Run(Fast));
        double seconds = clock.Elapsed.TotalSeconds;
        double achieved = slowBytes / seconds;
        log.WriteLine($"quota {quota} B/s: throttled producer {achieved:F0} B/s ({achieved / quota:F2}x, {slowThrottled} throttled responses); other {fastRequests * batch.Length / seconds:F0} B/s, throttle sum {fastThrottle} ms");

        Assert.True(slowThrottled > 0, "the slow producer was never told to back off");
        Assert.InRange(achieved, quota * 0.5, quota * 1.5);
        Assert.Equal(0, fastThrottle);
        Assert.True(fastRequests * batch.Length / seconds > quota * 2,
            $"the unthrottled client achieved only {fastRequests * batch.Length / seconds:F0} B/s");
    }

    [Fact]
    public async Task A_fetch_is_bounded_by_its_quota_window_and_answered_empty_with_a_throttle_time_when_over()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "quota-fetch");
        byte[] batch = Batch(10, new string('y', 90)); // ~1 KB
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(0, (await ProduceAsync(client, "quota-fetch", 0, batch)).ErrorCode);
        }
        await QuotaWire.SetAsync(client, "consumer_byte_rate", 5_000, ("user", "ANONYMOUS"));

        // The first fetch asks for 1 MiB but gets at most one quota window's worth (5,000 B x 1 window).
        var first = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Fetch("quota-fetch", 0, 0));
        if (first.ThrottleTimeMs == 0)
        {
            int records = first.Responses[0].Partitions[0].Records?.Length ?? 0;
            Assert.InRange(records, batch.Length, 5_000);
        }
        FetchResponse throttled = first;
        for (int i = 0; i < 5 && throttled.ThrottleTimeMs == 0; i++)
        {
            throttled = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Fetch("quota-fetch", 0, 0));
        }
        Assert.True(throttled.ThrottleTimeMs > 0, "fetching 1 KB batches again and again against 5 KB/s was never throttled");
        Assert.Empty(throttled.Responses); // Kafka answers a throttled fetch without data
    }

    [Fact]
    public async Task Request_time_over_request_percentage_is_throttled_for_at_most_one_window()
    {
        await using var client = await ConnectAsync();
        client.ClientId = "busy";
        await QuotaWire.SetAsync(client, "request_percentage", 0.001, ("client-id", "busy"));
        var response = await Eventually.ValueAsync(
            () => client.RequestAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = null }),
            r => r.ThrottleTimeMs > 0, "a Metadata response with throttle_time_ms");
        Assert.InRange(response.ThrottleTimeMs, 1, 1000);
    }

    [Fact]
    public async Task Alter_then_describe_over_the_wire_and_quotas_survive_a_restart()
    {
        await using (var client = await ConnectAsync())
        {
            await QuotaWire.SetAsync(client, "producer_byte_rate", 1024, ("user", "alice"), ("client-id", null));
            await QuotaWire.SetAsync(client, "consumer_byte_rate", 2048, ("user", "alice"), ("client-id", null));
            await QuotaWire.SetAsync(client, "connection_creation_rate", 50, ("ip", "10.1.2.3"));
            var bad = await QuotaWire.AlterAsync(client, "producer_byte_rate", 10.5, entity: ("user", "bob"));
            Assert.Equal((short)ErrorCode.InvalidRequest, bad.Entries[0].ErrorCode);
            Assert.Equal("bob", bad.Entries[0].Entity[0].EntityName);
            var validateOnly = await QuotaWire.AlterAsync(client, "producer_byte_rate", 10, validateOnly: true, entity: ("user", "carol"));
            Assert.Equal(0, validateOnly.Entries[0].ErrorCode);
            var badFilter = await QuotaWire.DescribeAsync(client, false, ("user", 0, null));
            Assert.Equal((short)ErrorCode.InvalidRequest, badFilter.ErrorCode);
            Assert.Null(badFilter.Entries);
        }
        await Broker.RestartAsync();
        await using var after = await ConnectAsync();
        var described = await QuotaWire.DescribeAsync(after, false, ("user", 0, "alice"));
        var entry = Assert.Single(described.Entries!);
        Assert.Equal([("user", "alice"), ("client-id", (string?)null)], entry.Entity.Select(e => (e.EntityType, e.EntityName)));
        Assert.Equal([("consumer_byte_rate", 2048.0), ("producer_byte_rate", 1024.0)], entry.Values.Select(v => (v.Key, v.Value)));
        var ips = await QuotaWire.DescribeAsync(after, true, ("ip", 2, null));
        Assert.Equal("10.1.2.3", Assert.Single(ips.Entries!).Entity[0].EntityName);
        Assert.Empty((await QuotaWire.DescribeAsync(after, false, ("user", 0, "carol"))).Entries!);
    }
}
