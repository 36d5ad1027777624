using System.Net.WebSockets;
using Rill.Tracking.City;

namespace Rill.Tracking.Simulator.Tests;

public class RiderSocketClientTests
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public void Ingest_uri_maps_http_to_ws_and_escapes_the_token()
    {
        Assert.Equal("ws://h:5000/ws/rider?token=a%2Bb%3D", RiderSocketClient.IngestUri(new Uri("http://h:5000"), "a+b=").ToString());
        Assert.Equal("wss://h/base/ws/rider?token=t", RiderSocketClient.IngestUri(new Uri("https://h/base/"), "t").ToString());
    }

    [Fact]
    public async Task Frames_are_sent_with_increasing_seq_and_every_ack_clears_one()
    {
        await using var ingest = await FakeIngest.StartAsync();
        await using var client = new RiderSocketClient("rider-1");
        var rtts = new List<TimeSpan>();
        client.AckReceived += (_, rtt) => { lock (rtts) rtts.Add(rtt); };
        await client.ConnectAsync(ingest.BaseUri, "good-rider-1");
        for (int i = 0; i < 100; i++)
            Assert.Equal(i + 1, await client.SendAsync(i % 2 == 0 ? "order-1" : null, 48.1 + i * 1e-4, 11.5, 5.5, 90, 1_700_000_000_000 + i));
        Assert.True(await client.WaitAllAckedAsync(Wait));
        Assert.Equal(100, client.Sent);
        Assert.Equal(100, client.Acked);
        Assert.Equal(0, client.UnackedCount);
        Assert.Equal(100, rtts.Count);

        var first = ingest.Received[0];
        Assert.Equal("rider-1", first.GetProperty("riderId").GetString());
        Assert.Equal("order-1", first.GetProperty("orderId").GetString());
        Assert.Equal(48.1, first.GetProperty("lat").GetDouble(), 6);
        Assert.Equal(5.5, first.GetProperty("speedMps").GetDouble());
        Assert.Equal(90, first.GetProperty("heading").GetDouble());
        Assert.Equal(1_700_000_000_000, first.GetProperty("ts").GetInt64());
        Assert.Equal(1, first.GetProperty("seq").GetInt64());
        Assert.False(ingest.Received[1].TryGetProperty("orderId", out _));
    }

    [Fact]
    public async Task Unacked_frames_are_tracked_until_their_ack_arrives()
    {
        await using var ingest = await FakeIngest.StartAsync();
        ingest.AckDelay = TimeSpan.FromMilliseconds(300);
        await using var client = new RiderSocketClient("r2");
        await client.ConnectAsync(ingest.BaseUri, "good-r2");
        await client.SendAsync(null, 48, 11, null, null, 1);
        Assert.Equal([1L], client.UnackedSeqs);
        Assert.True(await client.WaitAllAckedAsync(Wait));
        Assert.Empty(client.UnackedSeqs);
    }

    [Fact]
    public async Task Error_frames_are_counted_with_reason_and_seq()
    {
        await using var ingest = await FakeIngest.StartAsync();
        await using var client = new RiderSocketClient("r3");
        var errors = new List<(string, long?)>();
        client.ErrorReceived += (reason, seq) => { lock (errors) errors.Add((reason, seq)); };
        await client.ConnectAsync(ingest.BaseUri, "good-r3");
        await client.SendAsync(null, 123, 11, null, null, 1);
        await client.SendRawAsync("{not json");
        await client.SendAsync(null, 48, 11, null, null, 2);
        Assert.True(await client.WaitAllAckedAsync(Wait));
        await WaitUntil(() => client.Errors == 2);
        Assert.Equal(1, client.Acked);
        Assert.Contains(("lat out of range", 1L), errors);
        Assert.Contains(("malformed", null), errors);
    }

    [Fact]
    public async Task A_second_ack_for_the_same_seq_counts_as_unknown()
    {
        await using var ingest = await FakeIngest.StartAsync();
        ingest.AckTwice = true;
        await using var client = new RiderSocketClient("r4");
        await client.ConnectAsync(ingest.BaseUri, "good-r4");
        await client.SendAsync(null, 48, 11, null, null, 1);
        await WaitUntil(() => client.UnknownAcks == 1);
        Assert.Equal(1, client.Acked);
    }

    [Fact]
    public async Task A_rejected_token_fails_the_connect()
    {
        await using var ingest = await FakeIngest.StartAsync();
        await using var client = new RiderSocketClient("r5");
        await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(ingest.BaseUri, "bad"));
    }

    static async Task WaitUntil(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
