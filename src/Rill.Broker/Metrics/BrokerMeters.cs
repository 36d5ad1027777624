using System.Diagnostics;
using System.Diagnostics.Metrics;
using Rill.Protocol;

namespace Rill.Broker.Metrics;

/// <summary>
/// The broker's hot-path instruments, on the process-wide meter <c>Rill.Broker</c> (one broker per
/// <c>rill serve</c> process, as one broker per Kafka JVM). Every name and its Kafka JMX
/// counterpart is listed in docs/dev/observability.md. Hot paths only call <c>Add</c>/<c>Record</c>
/// with tag arrays cached per topic or per API key and version, so a request or a batch allocates
/// nothing here; nothing is counted per record.
/// </summary>
public static class BrokerMeters
{
    public const string MeterName = "Rill.Broker";

    /// <summary>The meter of the gauges read from broker state at collection time (BrokerStateMetrics).</summary>
    public const string StateMeterName = "Rill.Broker.State";

    /// <summary>Every meter a metrics reader of the broker subscribes to: this one, the state gauges and storage's.</summary>
    public static readonly string[] AllMeterNames = [MeterName, StateMeterName, Rill.Storage.StorageMeters.MeterName];

    public static readonly Meter Meter = new(MeterName, typeof(BrokerMeters).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> BytesIn = Meter.CreateCounter<long>("rill.topic.in.bytes", "By",
        "Bytes appended to a topic by Produce (Kafka: BrokerTopicMetrics BytesInPerSec)");
    internal static readonly Counter<long> MessagesIn = Meter.CreateCounter<long>("rill.topic.in.messages", "{message}",
        "Records appended to a topic (Kafka: BrokerTopicMetrics MessagesInPerSec)");
    internal static readonly Counter<long> BytesOut = Meter.CreateCounter<long>("rill.topic.out.bytes", "By",
        "Record bytes served by Fetch (Kafka: BrokerTopicMetrics BytesOutPerSec)");
    internal static readonly Counter<long> ProduceErrors = Meter.CreateCounter<long>("rill.topic.produce.errors", "{request}",
        "Partition appends refused, by error code (Kafka: BrokerTopicMetrics FailedProduceRequestsPerSec)");

    internal static readonly Counter<long> Requests = Meter.CreateCounter<long>("rill.requests", "{request}",
        "Requests served, by API and version (Kafka: RequestMetrics RequestsPerSec)");
    internal static readonly Histogram<double> RequestTotalTime = Meter.CreateHistogram<double>("rill.request.total.time", "s",
        "From a complete frame to the response flushed (Kafka: RequestMetrics TotalTimeMs)");
    internal static readonly Histogram<double> RequestLocalTime = Meter.CreateHistogram<double>("rill.request.local.time", "s",
        "Time in the API handler (Kafka: RequestMetrics LocalTimeMs)");
    internal static readonly Histogram<double> RequestSendTime = Meter.CreateHistogram<double>("rill.request.send.time", "s",
        "Serializing and flushing the response (Kafka: RequestMetrics ResponseSendTimeMs)");
    internal static readonly Histogram<double> RequestQueueTime = Meter.CreateHistogram<double>("rill.request.queue.time", "s",
        "From a complete frame to its handler starting; Rill has no request queue, so this is parsing time (Kafka: RequestMetrics RequestQueueTimeMs)");
    internal static readonly Counter<long> RequestErrors = Meter.CreateCounter<long>("rill.request.errors", "{request}",
        "Requests that closed their connection, by API and reason (Kafka: RequestMetrics ErrorsPerSec, for connection-level failures)");

    internal static readonly UpDownCounter<long> ActiveConnections = Meter.CreateUpDownCounter<long>("rill.connection.active", "{connection}",
        "Open Kafka connections (Kafka: socket-server-metrics connection-count)");
    internal static readonly Counter<long> ConnectionsCreated = Meter.CreateCounter<long>("rill.connection.created", "{connection}",
        "Kafka connections accepted (Kafka: socket-server-metrics connection-creation-total)");
    internal static readonly Counter<double> NetworkBusyTime = Meter.CreateCounter<double>("rill.network.busy.time", "s",
        "Time connections spent serving requests rather than waiting for bytes; idle ratio = 1 - rate / connections (Kafka: SocketServer NetworkProcessorAvgIdlePercent)");

    internal static readonly Counter<long> ResponseErrors = Meter.CreateCounter<long>("rill.response.errors", "{error}",
        "Non-zero error codes in responses, top level and per topic/partition/group, by API and error (Kafka: RequestMetrics ErrorsPerSec,request=R,error=E)");

    internal static readonly Counter<long> GroupRebalances = Meter.CreateCounter<long>("rill.group.rebalances", "{rebalance}",
        "Completed rebalances per group: classic groups reaching Stable or Empty, consumer groups' new target assignments (Kafka: group-coordinator-metrics classic-group-completed-rebalance-count / consumer-group-rebalance-count)");
    internal static readonly Histogram<double> GroupRebalanceTime = Meter.CreateHistogram<double>("rill.group.rebalance.time", "s",
        "From a classic group's PreparingRebalance to Stable or Empty (Kafka: the client's rebalance-latency; the broker has no histogram)");

    internal static readonly Counter<long> CleanerRecordsRemoved = Meter.CreateCounter<long>("rill.cleaner.records.removed", "{record}",
        "Records the log cleaner dropped (superseded keys and expired tombstones) (Kafka: LogCleaner logs it per pass; no JMX counter)");
    internal static readonly Counter<long> CleanerBytesReclaimed = Meter.CreateCounter<long>("rill.cleaner.bytes.reclaimed", "By",
        "Bytes read minus bytes written by cleaner passes (Kafka: derived from cleaner-recopy-percent)");
    internal static readonly Histogram<double> CleanerPassTime = Meter.CreateHistogram<double>("rill.cleaner.pass.time", "s",
        "Duration of one cleaner pass over a partition (Kafka: kafka.log:type=LogCleaner,name=max-clean-time-secs)");

    /// <summary>Counts one completed cleaner pass (the cleaner's Cleaned event; once per pass, never per record).</summary>
    internal static void RecordCleanerPass(Rill.Storage.Cleaning.CleanerStats stats)
    {
        CleanerRecordsRemoved.Add(stats.RecordsRead - stats.RecordsKept);
        CleanerBytesReclaimed.Add(Math.Max(0, stats.BytesRead - stats.BytesWritten));
        CleanerPassTime.Record(stats.Elapsed.TotalSeconds);
    }

    /// <summary>The tag list {topic=name}, built once per partition object.</summary>
    internal static KeyValuePair<string, object?>[] TopicTags(string topic) => [new("topic", topic)];

    /// <summary>Seconds between two <see cref="Stopwatch.GetTimestamp"/> readings.</summary>
    internal static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;
}
