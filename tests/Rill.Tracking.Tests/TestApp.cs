using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Rill.Client;
using Rill.Hosting;
using Rill.Tracking.Hosting;
using Rill.Tracking.Orders;

namespace Rill.Tracking.Tests;

/// <summary>Starts the real app in-process on 127.0.0.1:0 against a test broker, with an HTTP client that carries the operator key.</summary>
public sealed class TestApp : IAsyncDisposable
{
    public const string Key = "test-operator-key";

    private TestApp(TrackingApp app)
    {
        App = app;
        Http = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
    }

    public TrackingApp App { get; }
    public HttpClient Http { get; }
    public Uri BaseAddress => App.BaseAddress;

    public static Task<EmbeddedBroker> StartBrokerAsync() => EmbeddedBroker.StartAsync(new Dictionary<string, string>
    {
        ["group.initial.rebalance.delay.ms"] = "0",
        ["num.partitions"] = "1",
    });

    public static async Task<TestApp> StartAsync(EmbeddedBroker? broker, string dataDir, string roles = "all", Action<TrackingOptions>? configure = null,
        bool waitHealthy = true)
    {
        var options = new TrackingOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = dataDir,
            BootstrapServers = broker?.BootstrapServers,
            Roles = RolesText.Parse(roles),
            OperatorKey = Key,
            Partitions = 4,
            RiderRatePerSecond = 1000,
            HistoryBatchDelay = TimeSpan.FromMilliseconds(50),
        };
        configure?.Invoke(options);
        TrackingApp app = await TrackingApp.StartAsync(options, logging => logging.SetMinimumLevel(LogLevel.Warning));
        var test = new TestApp(app);
        if (waitHealthy)
        {
            await Wait.UntilAsync(async () => (await test.Http.GetAsync("/health")).IsSuccessStatusCode, "the app to become healthy");
        }
        return test;
    }

    public async Task<string> RiderTokenAsync(string riderId, string region)
    {
        var response = await Http.PostAsJsonAsync("/api/riders", new { riderId, region });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    /// <summary>Creates an order; returns the customer token.</summary>
    public async Task<string> CreateOrderAsync(string orderId, string riderId, LatLon restaurant, LatLon customer, string? restaurantId = null)
    {
        var response = await Http.PostAsJsonAsync("/api/orders", new { orderId, riderId, restaurantId, restaurant, customer });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains($"/track.html?order={orderId}&token=", body.GetProperty("trackingUrl").GetString());
        return body.GetProperty("customerToken").GetString()!;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        return App.DisposeAsync();
    }
}

public static class Wait
{
    /// <summary>Polls a condition until it holds; fails the test after the timeout.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int timeoutMs = 30_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail($"Timed out after {timeoutMs} ms waiting for {what}.");
            }
            await Task.Delay(50);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what, int timeoutMs = 30_000) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeoutMs);
}

public static class TopicContents
{
    /// <summary>Every record of a topic (read without a group, up to the end offsets at the time of the call).</summary>
    public static async Task<List<ConsumeResult<string, byte[]>>> ReadAllAsync(string bootstrap, string topic)
    {
        await using var admin = new AdminClient(new AdminClientConfig { BootstrapServers = bootstrap });
        var described = await admin.DescribeTopicsAsync([topic]);
        var partitions = described[0].Partitions.Select(p => new TopicPartition(topic, p.Partition)).ToList();
        var ends = await admin.ListOffsetsAsync(partitions.Select(p => (p, Offsets.Latest)));
        var records = new List<ConsumeResult<string, byte[]>>();
        long total = ends.Values.Sum();
        if (total == 0)
        {
            return records;
        }
        await using var consumer = new Consumer<string, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, EnableAutoCommit = false, FetchMaxWaitMs = 50 });
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p.Topic, p.Partition, Offsets.Earliest)));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var r in consumer.ConsumeAsync(cts.Token))
        {
            records.Add(r);
            if (partitions.All(p => consumer.Position(p) >= ends[p]))
            {
                break;
            }
        }
        return records;
    }
}
