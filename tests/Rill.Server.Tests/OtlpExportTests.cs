using System.Text;

namespace Rill.Server.Tests;

/// <summary>
/// rill.otlp.endpoint on a real `rill serve`: the broker's metrics reach a collector over OTLP/gRPC and over
/// OTLP/HTTP, every rill.otlp.interval.ms, with the traffic of an independent producer (kafka-python) in them.
/// </summary>
public class OtlpExportTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Metrics_are_pushed_to_the_collector_with_the_topic_traffic(bool grpc)
    {
        await using OtlpReceiver collector = await OtlpReceiver.StartAsync(grpc);
        string endpoint = grpc ? collector.Address.ToString().TrimEnd('/') : new Uri(collector.Address, "/v1/metrics").ToString();
        await using var broker = await RillProcess.StartAsync("num.partitions=1", $"rill.otlp.endpoint={endpoint}", "rill.otlp.interval.ms=200");
        string topic = "otlp-" + Guid.NewGuid().ToString("N")[..8];
        await ExternalTool.PythonAsync("produce_and_commit.py", "produce", broker.BootstrapServers, topic, "5",
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString());

        // Exports keep arriving every 200 ms; wait (bounded) for one that carries the topic's counters, and a second export.
        OtlpReceiver.Export? withTopic = null;
        for (int i = 0; i < 150 && (withTopic is null || collector.Exports.Count < 2); i++)
        {
            withTopic ??= collector.Exports.FirstOrDefault(e => Contains(e.Body, topic) && Contains(e.Body, "rill.topic.in.messages"));
            await Task.Delay(100);
        }
        Assert.True(withTopic is not null, $"no export named the topic; {collector.Exports.Count} exports arrived");

        if (grpc)
        {
            Assert.Equal("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", withTopic.Path);
            Assert.StartsWith("application/grpc", withTopic.ContentType);
        }
        else
        {
            Assert.Equal("/v1/metrics", withTopic.Path);
            Assert.Equal("application/x-protobuf", withTopic.ContentType);
        }
        // Protobuf keeps strings as UTF-8: the service, the instruments and their attributes are readable in the body.
        Assert.True(Contains(withTopic.Body, "rill"), "service.name");
        Assert.True(Contains(withTopic.Body, "rill.requests"), "the request counter");
        Assert.True(collector.Exports.Count >= 2, "pushed on the interval, not once");
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
