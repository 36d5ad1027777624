using OpenTelemetry;
using OpenTelemetry.Metrics;
using Rill.Broker.Metrics;
using Rill.Protocol;

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
            .AddMeter(BrokerMeters.MeterName)
            .AddReader(new BaseExportingMetricReader(new DiscardingExporter()))
            .Build()!;
        KeyValuePair<string, object?>[] topic = BrokerMeters.TopicTags("alloc-topic");

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
}
