using Rill.Client;
using Rill.Hosting;

using Xunit;

namespace Rill.TestKit;

/// <summary>One embedded broker (127.0.0.1, port 0, temp dir) shared by a test class; topics get unique names.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private static int s_topic;

    public EmbeddedBroker Broker { get; private set; } = null!;

    public string Bootstrap => Broker.BootstrapServers;

    public static string NewTopic(string prefix = "t") => $"{prefix}-{Interlocked.Increment(ref s_topic)}-{Guid.NewGuid():N}"[..24];

    public async Task InitializeAsync()
    {
        Broker = await EmbeddedBroker.StartAsync(new Dictionary<string, string>
        {
            ["num.partitions"] = "1",
            ["group.initial.rebalance.delay.ms"] = "0",
        });
    }

    public async Task DisposeAsync() => await Broker.DisposeAsync();

    public ProducerConfig Producer(Action<ProducerConfig>? configure = null)
    {
        var config = new ProducerConfig { BootstrapServers = Bootstrap, LingerMs = 1, RequestTimeoutMs = 10_000, MaxBlockMs = 10_000 };
        configure?.Invoke(config);
        return config;
    }

    public ConsumerConfig Consumer(string? group = null, Action<ConsumerConfig>? configure = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = Bootstrap, GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchMaxWaitMs = 100, RequestTimeoutMs = 10_000, HeartbeatIntervalMs = 200, SessionTimeoutMs = 10_000,
        };
        configure?.Invoke(config);
        return config;
    }

    public AdminClient Admin() => new(new AdminClientConfig { BootstrapServers = Bootstrap, RequestTimeoutMs = 10_000 });
}
