using Rill.Client;
using Rill.Hosting;
using Rill.Tracking.Ingest;

namespace Rill.Tracking.Hosting;

/// <summary>
/// The cluster the app talks to: an in-process EmbeddedBroker (data under DIR/broker) unless
/// --bootstrap-server names an external one. Creates the three topics on start.
/// </summary>
public sealed class KafkaRuntime : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _clientProperties;

    private KafkaRuntime(string bootstrap, EmbeddedBroker? embedded, RegionPartitionMap map, IReadOnlyDictionary<string, string> clientProperties)
    {
        _clientProperties = clientProperties;
        BootstrapServers = bootstrap;
        Embedded = embedded;
        PartitionMap = map;
    }

    public string BootstrapServers { get; }

    /// <summary>The in-process broker, when the app started one.</summary>
    public EmbeddedBroker? Embedded { get; }

    public RegionPartitionMap PartitionMap { get; }

    public static async Task<KafkaRuntime> StartAsync(TrackingOptions options, CancellationToken cancellationToken)
    {
        EmbeddedBroker? embedded = null;
        string bootstrap;
        if (options.BootstrapServers is { } external)
        {
            bootstrap = external;
        }
        else
        {
            string dir = Path.Combine(options.DataDirectory, "broker");
            Directory.CreateDirectory(dir);
            embedded = await EmbeddedBroker.StartAsync(new Dictionary<string, string>
            {
                ["listeners"] = $"PLAINTEXT://127.0.0.1:{options.BrokerPort}",
                ["num.partitions"] = "1",
                // one process joins all five groups at once; no point waiting for more members
                ["group.initial.rebalance.delay.ms"] = "0",
            }, dir, cancellationToken: cancellationToken).ConfigureAwait(false);
            bootstrap = embedded.BootstrapServers;
        }
        try
        {
            var properties = embedded is null ? options.KafkaProperties : new Dictionary<string, string>();
            int partitions = await CreateTopicsAsync(Apply(new AdminClientConfig { BootstrapServers = bootstrap, ClientId = "rill-tracking-admin" }, properties),
                options.Partitions, cancellationToken).ConfigureAwait(false);
            RegionPartitionMap map = options.RegionPartitions is { } text
                ? RegionPartitionMap.Parse(text, partitions)
                : RegionPartitionMap.Default(partitions);
            return new KafkaRuntime(bootstrap, embedded, map, properties);
        }
        catch
        {
            if (embedded is not null)
            {
                await embedded.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    /// <summary>Creates the topics that are missing; returns rider-updates' partition count (an existing topic keeps its count).</summary>
    private static async Task<int> CreateTopicsAsync(AdminClientConfig config, int partitions, CancellationToken cancellationToken)
    {
        await using var admin = new AdminClient(config);
        var wanted = new[]
        {
            new NewTopic(TopicNames.RiderUpdates, partitions),
            new NewTopic(TopicNames.RiderLatest, partitions, Configs: new Dictionary<string, string> { ["cleanup.policy"] = "compact" }),
            new NewTopic(TopicNames.OrderEvents, Math.Min(partitions, 6)),
        };
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                var existing = (await admin.ListTopicsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
                var missing = wanted.Where(t => !existing.Contains(t.Name)).ToList();
                if (missing.Count > 0)
                {
                    try
                    {
                        await admin.CreateTopicsAsync(missing, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }
                    catch (KafkaException e) when (e.ErrorCode == Rill.Protocol.ErrorCode.TopicAlreadyExists)
                    {
                        // another instance created it first
                    }
                }
                var described = await admin.DescribeTopicsAsync([TopicNames.RiderUpdates], cancellationToken).ConfigureAwait(false);
                return described[0].Partitions.Count;
            }
            catch (KafkaException) when (attempt < 20)
            {
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Applies --kafka-property settings (security.protocol, sasl.*, ssl.*) to a client config.</summary>
    private static T Apply<T>(T config, IReadOnlyDictionary<string, string> properties) where T : ClientConfig
    {
        foreach (var (name, value) in properties)
        {
            if (!config.Set(name, value))
            {
                throw new ArgumentException($"--kafka-property {name}: not a client property Rill.Client knows.");
            }
        }
        return config;
    }

    private T Apply<T>(T config) where T : ClientConfig => Apply(config, _clientProperties);

    /// <summary>An admin client's config for this cluster (security settings included).</summary>
    public AdminClientConfig AdminConfig(string clientId) => Apply(new AdminClientConfig { BootstrapServers = BootstrapServers, ClientId = clientId });

    public ProducerConfig ProducerConfig(string clientId) => Apply(new ProducerConfig
    {
        BootstrapServers = BootstrapServers,
        ClientId = clientId,
        Acks = Acks.All,
        LingerMs = 2,
    });

    public ConsumerConfig GroupConfig(string groupId) => Apply(new ConsumerConfig
    {
        BootstrapServers = BootstrapServers,
        ClientId = groupId,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeoutMs = 10_000,
        HeartbeatIntervalMs = 1_000,
        FetchMaxWaitMs = 100,
        PartitionAssignmentStrategy = "range",
    });

    /// <summary>A consumer without a group that reads whole topics (order-events, rider-latest).</summary>
    public ConsumerConfig ReaderConfig(string clientId) => Apply(new ConsumerConfig
    {
        BootstrapServers = BootstrapServers,
        ClientId = clientId,
        EnableAutoCommit = false,
        FetchMaxWaitMs = 100,
    });

    public async ValueTask DisposeAsync()
    {
        if (Embedded is not null)
        {
            await Embedded.DisposeAsync().ConfigureAwait(false);
        }
    }
}
