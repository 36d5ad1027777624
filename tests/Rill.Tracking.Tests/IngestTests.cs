using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Rill.Client;
using Rill.Hosting;
using Rill.Tracking.Hosting;
using Rill.Tracking.Ingest;
using Rill.Tracking.Positions;
using Rill.Tracking.Stats;

namespace Rill.Tracking.Tests;

/// <summary>WebSocket ingest against the real app (ingest role only) and an EmbeddedBroker.</summary>
public sealed class IngestTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rill-tracking-ingest-").FullName;
    private EmbeddedBroker _broker = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestApp.StartBrokerAsync();
        _app = await TestApp.StartAsync(_broker, _dir, "ingest", o => o.RiderRatePerSecond = 200);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _broker.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task EachBadFrameGetsAnErrorFrameIsCountedAndNothingIsProduced()
    {
        string token = await _app.RiderTokenAsync("bad-1", "north");
        await using var rider = await TestRider.ConnectAsync(_app.BaseAddress, token);
        var cases = new (string Frame, string Reason)[]
        {
            ("{\"riderId\":", FrameErrors.MalformedJson),
            ("42", FrameErrors.NotAnObject),
            ($"{{\"riderId\":\"bad-1\",\"lat\":\"x\",\"lon\":1,\"ts\":{Now},\"seq\":1}}", FrameErrors.WrongType),
            ($"{{\"seq\":2,\"riderId\":\"bad-1\",\"lat\":1,\"lon\":1,\"ts\":{Now},\"extra\":[1]}}", FrameErrors.UnknownField),
            ($"{{\"seq\":3,\"riderId\":\"bad-1\",\"lat\":91,\"lon\":1,\"ts\":{Now}}}", FrameErrors.LatOutOfRange),
            ($"{{\"seq\":4,\"riderId\":\"bad-1\",\"lat\":1,\"lon\":200,\"ts\":{Now}}}", FrameErrors.LonOutOfRange),
            ($"{{\"seq\":5,\"riderId\":\"bad-1\",\"lat\":1,\"lon\":1,\"ts\":{Now + 600_000}}}", FrameErrors.TsInFuture),
            ($"{{\"seq\":6,\"riderId\":\"bad-1\",\"lat\":1,\"lon\":1,\"ts\":{Now - 7_200_000}}}", FrameErrors.TsTooOld),
            ($"{{\"seq\":7,\"riderId\":\"bad-1\",\"lon\":1,\"ts\":{Now}}}", FrameErrors.MissingField),
            // a rider can only publish as itself
            ($"{{\"seq\":8,\"riderId\":\"someone-else\",\"lat\":1,\"lon\":1,\"ts\":{Now}}}", FrameErrors.RiderMismatch),
        };
        var metrics = _app.App.Service<IngestMetrics>();
        foreach (var (frame, reason) in cases)
        {
            long before = metrics.ErrorCount(reason);
            JsonElement answer = await rider.SendAndReceiveAsync(frame);
            Assert.Equal(reason, answer.GetProperty("error").GetString());
            Assert.False(answer.TryGetProperty("ack", out _));
            Assert.Equal(before + 1, metrics.ErrorCount(reason));
        }
        Assert.Equal(5, (await rider.SendAndReceiveAsync($"{{\"seq\":5,\"riderId\":\"bad-1\",\"lat\":1,\"lon\":1,\"ts\":{Now + 600_000}}}")).GetProperty("seq").GetInt64());

        // then one good frame: acked, and it is the only record of this rider in the topic
        JsonElement ack = await rider.SendAndReceiveAsync(TestRider.Frame("bad-1", 48.1, 11.5, Now, seq: 99));
        Assert.Equal(99, ack.GetProperty("ack").GetInt64());
        var records = await TopicContents.ReadAllAsync(_broker.BootstrapServers, TopicNames.RiderUpdates);
        var mine = records.Where(r => r.Key == "bad-1").ToList();
        Assert.Single(mine);
        Assert.Equal(99, TrackingJson.Deserialize<RiderUpdate>(mine[0].Value)!.Seq);
    }

    [Fact]
    public async Task AnAckMeansTheRecordIsInTheLogOnTheRegionsPartition()
    {
        string token = await _app.RiderTokenAsync("ack-1", "south");
        await using var rider = await TestRider.ConnectAsync(_app.BaseAddress, token);
        var map = _app.App.Kafka.PartitionMap;
        int partition = map.PartitionFor("south", "ack-1");
        Assert.InRange(partition, 0, 1); // 4 partitions: south = 0-1
        await using var admin = new AdminClient(new AdminClientConfig { BootstrapServers = _broker.BootstrapServers });
        for (int i = 1; i <= 5; i++)
        {
            JsonElement ack = await rider.SendAndReceiveAsync(TestRider.Frame("ack-1", 48.1, 11.5, Now, seq: i));
            Assert.Equal(i, ack.GetProperty("ack").GetInt64());
            // at the moment the ack arrives, the record is already below the high watermark
            var end = await admin.ListOffsetsAsync([(new TopicPartition(TopicNames.RiderUpdates, partition), Offsets.Latest)]);
            long count = (await TopicContents.ReadAllAsync(_broker.BootstrapServers, TopicNames.RiderUpdates))
                .Count(r => r.Key == "ack-1" && r.Partition == partition);
            Assert.Equal(i, count);
            Assert.True(end.Values.Single() >= i);
        }
        var latest = await TopicContents.ReadAllAsync(_broker.BootstrapServers, TopicNames.RiderLatest);
        Assert.Contains(latest, r => r.Key == "ack-1");
    }

    [Fact]
    public async Task ForgedTokensAreRefusedAtTheUpgrade()
    {
        string token = await _app.RiderTokenAsync("honest", "east");
        string[] parts = token.Split('.');
        string forged = $"{parts[0]}.{Convert.ToBase64String("mallory"u8.ToArray()).TrimEnd('=')}.{parts[2]}.{parts[3]}";
        foreach (string bad in new[] { forged, "", "r.a.b.c", token + "x" })
        {
            var socket = new ClientWebSocket();
            var uri = new UriBuilder(_app.BaseAddress) { Scheme = "ws", Path = "/ws/rider", Query = "token=" + Uri.EscapeDataString(bad) }.Uri;
            var e = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, CancellationToken.None));
            Assert.Contains("401", e.Message);
        }
        // and the operator API needs the key
        using var anonymous = new HttpClient { BaseAddress = _app.BaseAddress };
        var response = await anonymous.PostAsync("/api/riders", JsonContent.Create(new { riderId = "x", region = "south" }));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task OversizedFramesCloseWith1009()
    {
        string token = await _app.RiderTokenAsync("big-1", "west");
        await using var rider = await TestRider.ConnectAsync(_app.BaseAddress, token);
        await rider.SendTextAsync("{\"riderId\":\"" + new string('x', RiderSocketEndpoint.MaxFrameBytes + 10) + "\"}");
        Assert.Null(await rider.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, rider.Socket.CloseStatus);
        Assert.StartsWith(FrameErrors.Oversized, rider.Socket.CloseStatusDescription);
        Assert.True(_app.App.Service<IngestMetrics>().ErrorCount(FrameErrors.Oversized) >= 1);
    }

    [Fact]
    public async Task AckedUpdatesSurviveABrokerRestart()
    {
        string token = await _app.RiderTokenAsync("restart-1", "north");
        await using var rider = await TestRider.ConnectAsync(_app.BaseAddress, token);
        for (int i = 1; i <= 3; i++)
        {
            Assert.Equal(i, (await rider.SendAndReceiveAsync(TestRider.Frame("restart-1", 48.1, 11.5, Now, seq: i))).GetProperty("ack").GetInt64());
        }
        await _broker.RestartAsync();
        for (int i = 4; i <= 6; i++)
        {
            JsonElement answer = await rider.SendAndReceiveAsync(TestRider.Frame("restart-1", 48.1, 11.5, Now, seq: i));
            Assert.Equal(i, answer.GetProperty("ack").GetInt64());
        }
        var seqs = (await TopicContents.ReadAllAsync(_broker.BootstrapServers, TopicNames.RiderUpdates))
            .Where(r => r.Key == "restart-1").Select(r => TrackingJson.Deserialize<RiderUpdate>(r.Value)!.Seq).ToList();
        Assert.Equal([1L, 2, 3, 4, 5, 6], seqs);
    }
}

public sealed class FloodTests
{
    [Fact]
    public async Task ARiderOverItsRateGetsErrorsThenAFloodClose()
    {
        string dir = Directory.CreateTempSubdirectory("rill-tracking-flood-").FullName;
        await using var broker = await TestApp.StartBrokerAsync();
        await using (var app = await TestApp.StartAsync(broker, dir, "ingest", o => o.RiderRatePerSecond = 1))
        {
            string token = await app.RiderTokenAsync("flood-1", "north");
            await using var rider = await TestRider.ConnectAsync(app.BaseAddress, token);
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (int i = 1; i <= RiderSocketEndpoint.FloodLimit + 5; i++)
            {
                if (rider.Socket.State != WebSocketState.Open)
                {
                    break;
                }
                await rider.SendTextAsync(TestRider.Frame("flood-1", 48.1, 11.5, now, seq: i));
            }
            var answers = new List<JsonElement>();
            while (await rider.ReceiveAsync() is { } answer)
            {
                answers.Add(answer);
            }
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, rider.Socket.CloseStatus);
            Assert.StartsWith(FrameErrors.Flood, rider.Socket.CloseStatusDescription);
            int acked = answers.Count(a => a.TryGetProperty("ack", out _));
            Assert.InRange(acked, 1, 3); // the burst
            Assert.Contains(answers, a => a.TryGetProperty("error", out var e) && e.GetString() == FrameErrors.RateLimited);
            var metrics = app.App.Service<IngestMetrics>();
            Assert.Equal(1, metrics.ErrorCount(FrameErrors.Flood));
            var records = await TopicContents.ReadAllAsync(broker.BootstrapServers, TopicNames.RiderUpdates);
            Assert.Equal(acked, records.Count(r => r.Key == "flood-1"));
        }
        Directory.Delete(dir, true);
    }
}
