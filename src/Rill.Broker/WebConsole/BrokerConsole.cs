using System.Reflection;
using Rill.Broker.Topics;

namespace Rill.Broker.WebConsole;

/// <summary>
/// What the web console reads and changes, in process, through the services the Kafka API handlers
/// use: <see cref="TopicManager"/> (CreateTopics, DeleteTopics, Metadata, ListOffsets), the config
/// admin (DescribeConfigs, IncrementalAlterConfigs), the partition logs (Produce, Fetch) and the
/// group coordinator (ListGroups, DescribeGroups, OffsetFetch, OffsetCommit). There is no copy of
/// broker state here except the live rates and the lag history, which only the console keeps.
/// One instance per HTTP listener; disposing stops its samplers.
/// </summary>
public sealed partial class BrokerConsole : IDisposable
{
    private readonly KafkaBroker _broker;
    private readonly LiveMeters _live;
    private readonly LagHistory _lagHistory;

    public BrokerConsole(KafkaBroker broker, TimeSpan? lagSampleInterval = null)
    {
        _broker = broker;
        StartedAt = broker.Time.GetUtcNow();
        _live = new LiveMeters(broker.Time);
        _lagHistory = new LagHistory(this, broker.Time, lagSampleInterval ?? TimeSpan.FromSeconds(5));
    }

    public DateTimeOffset StartedAt { get; }

    public static string Version { get; } = typeof(KafkaBroker).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?
        .InformationalVersion.Split('+')[0] ?? typeof(KafkaBroker).Assembly.GetName().Version?.ToString() ?? "unknown";

    public async Task<ClusterOverview> OverviewAsync()
    {
        var brokers = _broker.Cluster.BrokersFor(null)
            .Select(b => new ConsoleBroker(b.Id, b.Host, b.Port, b.Rack, b.Id == _broker.Cluster.ControllerId)).ToList();
        int topics = 0, partitions = 0;
        long size = 0;
        foreach (Topic t in _broker.Topics.All)
        {
            topics++;
            partitions += t.Partitions.Length;
            foreach (Partition p in t.Partitions)
            {
                size += p.OpenedLog?.SizeInBytes ?? 0;
            }
        }
        int groups = (await _broker.Groups.ListAsync().ConfigureAwait(false)).Count;
        DateTimeOffset now = _broker.Time.GetUtcNow();
        return new ClusterOverview(_broker.Cluster.ClusterId, Version, _broker.Cluster.NodeId, brokers, StartedAt,
            (now - StartedAt).TotalSeconds, topics, partitions, groups, size, Math.Max(0, _live.Connections));
    }

    /// <summary>Throughput, request rate and latency per second, newest 5 minutes, after <paramref name="sinceMs"/>.</summary>
    public IReadOnlyList<LivePoint> Live(long sinceMs) => _live.Since(sinceMs);

    public void Dispose()
    {
        _lagHistory.Dispose();
        _live.Dispose();
    }
}
