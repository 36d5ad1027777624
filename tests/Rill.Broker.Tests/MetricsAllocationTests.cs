using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Rill.Broker.Metrics;
using Rill.Broker.Network;
using Rill.Protocol;
using Rill.Storage;

namespace Rill.Broker.Tests;

/// <summary>
/// The instrument calls the hot paths make (per produced batch, per fetch, per request), with the
/// OpenTelemetry SDK listening as under <c>rill serve</c>: once a series exists they allocate nothing.
/// </summary>
[Collection(AllocationBudgetCollection.Name)]
public sealed class MetricsAllocationTests
{
    private sealed class DiscardingExporter : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }

    [Fact]
    public void Hot_path_instruments_allocate_nothing_while_the_sdk_listens()
    {
        using MeterProvider provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(BrokerMeters.AllMeterNames)
            .AddReader(new BaseExportingMetricReader(new DiscardingExporter()))
            .Build()!;
        KeyValuePair<string, object?>[] topic = BrokerMeters.TopicTags("alloc-topic");
        var produceResponse = new Rill.Protocol.Messages.ProduceResponse
        {
            Responses = [new() { Name = "alloc-topic", PartitionResponses = [new() { Index = 0, ErrorCode = 3 }, new() { Index = 1 }] }],
        };

        void Operation()
        {
            BrokerMeters.BytesIn.Add(1000, topic);
            BrokerMeters.MessagesIn.Add(10, topic);
            BrokerMeters.BytesOut.Add(1000, topic);
            BrokerMeters.Requests.Add(1, RequestTags.For(ApiKey.Produce, 9));
            ReadOnlySpan<KeyValuePair<string, object?>> api = RequestTags.For(ApiKey.Produce);
            BrokerMeters.RequestLocalTime.Record(0.0002, api);
            BrokerMeters.RequestTotalTime.Record(0.0003, api);
            BrokerMeters.NetworkBusyTime.Add(0.0003);
            BrokerMeters.ActiveConnections.Add(1);
            BrokerMeters.ActiveConnections.Add(-1);
            StorageMeters.FlushTime.Record(0.001);
            ResponseErrors.Count(ApiKey.Produce, produceResponse);
        }

        for (int i = 0; i < 500; i++)
        {
            Operation();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5_000; i++)
        {
            Operation();
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{allocated} bytes over 5,000 operations");
        provider.ForceFlush();
    }

    [Fact]
    public void The_request_log_allocates_nothing_while_debug_is_off()
    {
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Information));
        ILogger log = factory.CreateLogger(RequestLog.Category);
        var remote = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 50000);
        void Operation()
        {
            // What the connection handler does after every request.
            if (log.IsEnabled(LogLevel.Debug))
            {
                RequestLog.Completed(log, ApiKey.Produce, 9, 42, "client", "User:ANONYMOUS", "conn-1", remote, 100, 0.3, 0.01, 0.2, 0.09);
            }
            // And the generated method itself, called unguarded, checks the level before boxing anything.
            RequestLog.Completed(log, ApiKey.Produce, 9, 42, "client", "User:ANONYMOUS", "conn-1", remote, 100, 0.3, 0.01, 0.2, 0.09);
        }

        for (int i = 0; i < 100; i++)
        {
            Operation();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5_000; i++)
        {
            Operation();
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{allocated} bytes over 5,000 requests with debug off");
    }
}
