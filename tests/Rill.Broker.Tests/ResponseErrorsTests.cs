using System.Diagnostics.Metrics;
using Rill.Broker.Metrics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests;

/// <summary>rill.response.errors counts the non-zero error codes of a response, at every level, by API and error name.</summary>
public sealed class ResponseErrorsTests
{
    private static ProduceResponse Produce(params short[] partitionErrors) => new()
    {
        Responses =
        [
            new ProduceResponse.TopicProduceResponse
            {
                Name = "t",
                PartitionResponses = [.. partitionErrors.Select((e, i) => new ProduceResponse.PartitionProduceResponse { Index = i, ErrorCode = e })],
            },
        ],
    };

    [Fact]
    public void Nested_and_top_level_error_codes_are_counted_by_api_and_name_and_none_is_not()
    {
        int thread = Environment.CurrentManagedThreadId;
        var counted = new List<(string Api, string Error, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BrokerMeters.MeterName && instrument.Name == "rill.response.errors")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (Environment.CurrentManagedThreadId == thread) // other tests' brokers count on other threads
            {
                counted.Add(((string)tags[0].Value!, (string)tags[1].Value!, value));
            }
        });
        listener.Start();

        ResponseErrors.Count(ApiKey.Produce, Produce(0, 3, 0, 3, 87));
        ResponseErrors.Count(ApiKey.SyncGroup, new SyncGroupResponse { ErrorCode = (short)ErrorCode.RebalanceInProgress });
        ResponseErrors.Count(ApiKey.SyncGroup, new SyncGroupResponse { ErrorCode = 0 });

        Assert.Equal(
            [("Produce", "UnknownTopicOrPartition", 1L), ("Produce", "UnknownTopicOrPartition", 1L), ("Produce", "InvalidRecord", 1L),
             ("SyncGroup", "RebalanceInProgress", 1L)],
            counted);
    }
}
