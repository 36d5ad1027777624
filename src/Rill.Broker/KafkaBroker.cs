using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Broker.Config;
using Rill.Broker.Handlers;
using Rill.Broker.Network;
using Rill.Broker.Security;
using Rill.Broker.Security.Authorization;
using Rill.Broker.Topics;
using Rill.Coordination.Groups;
using Rill.Coordination.Groups.Consumer;

namespace Rill.Broker;

/// <summary>
/// The broker's composition root: configuration, the topic and partition manager, and the handler
/// registry behind the Kafka listeners. The network host (Kestrel) lives in Rill.Hosting and hands
/// each accepted connection to <see cref="OnConnectedAsync"/>.
/// </summary>
public sealed class KafkaBroker : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly CancellationTokenSource _stopping = new();
    private readonly KafkaConnectionHandler _connections;
    private readonly ClusterView _cluster;
    private readonly Metrics.BrokerStateMetrics _stateMetrics;
    private readonly Clustering.Security.ClusterSecurityMetadata? _clusterSecurity;
    private int _disposed;

    public KafkaBroker(BrokerConfig config, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        Config = config;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Time = time ?? TimeProvider.System;
        _cluster = new ClusterView(config);
        ConfigLayers = new BrokerConfigLayers(config);
        Topics = new TopicManager(ConfigLayers, Time, _loggerFactory.CreateLogger<TopicManager>());
        var rebalances = new Metrics.GroupRebalanceReporter(_loggerFactory.CreateLogger<GroupCoordinator>());
        Groups = new GroupCoordinator(new GroupCoordinatorOptions
        {
            MinSessionTimeoutMs = config.GroupMinSessionTimeoutMs,
            MaxSessionTimeoutMs = config.GroupMaxSessionTimeoutMs,
            InitialRebalanceDelayMs = config.GroupInitialRebalanceDelayMs,
            MaxSize = config.GroupMaxSize,
            Rebalanced = rebalances.Report,
        }, Time, OffsetsLog = new ConsumerOffsetsLog(Topics, config.OffsetsTopicNumPartitions,
            config.OffsetsTopicSegmentBytes, Time), new BrokerTopicCatalog(Topics), new ConsumerGroupOptions
        {
            SessionTimeoutMs = config.GroupConsumerSessionTimeoutMs,
            HeartbeatIntervalMs = config.GroupConsumerHeartbeatIntervalMs,
            MaxSize = config.GroupConsumerMaxSize,
            Assignors = config.GroupConsumerAssignors,
            Rebalanced = rebalances.Report,
        });
        Transactions = new Transactions.BrokerTransactions(config, Topics, Groups, Time);
        Security = new BrokerSecurity(config, Time);
        // In a cluster SCRAM credentials, ACLs and quotas live in the metadata store (loaded when the broker joins), else in files.
        _clusterSecurity = config.MetadataEtcdEndpoints is null ? null : new Clustering.Security.ClusterSecurityMetadata(_loggerFactory);
        Authorizer = AclAuthorizer.FromConfig(config, _clusterSecurity is { } cs ? new Clustering.Security.ClusterAclStore(cs.Acls) : new FileAclStore(config.LogDirs[0]),
            _loggerFactory.CreateLogger("kafka.authorizer.logger"));
        Quotas = new Quotas.BrokerQuotas(config, () => ConfigLayers.Current,
            _clusterSecurity is { } cq ? new Clustering.Security.ClusterClientQuotaStore(cq.Quotas) : new Quotas.FileClientQuotaStore(config.LogDirs[0]), Time,
            _loggerFactory.CreateLogger<Quotas.BrokerQuotas>());
        FetchSessions = new FetchSessions.FetchSessionCache(config.MaxIncrementalFetchSessionCacheSlots, Time);
        ConsoleSessions = _clusterSecurity is { } cc
            ? new WebConsole.ConsoleSessionState(new Clustering.Security.ClusterConsoleSessionStorage(cc.ConsoleSessions), Time)
            : WebConsole.ConsoleSessionState.InDirectory(config.LogDirs[0], Time);
        Handlers = HandlerSetup.CreateRegistry(this);
        _connections = new KafkaConnectionHandler(Handlers, config.SocketRequestMaxBytes,
            _loggerFactory.CreateLogger<KafkaConnectionHandler>(), _stopping.Token, Quotas, _loggerFactory.CreateLogger(Network.RequestLog.Category));
        _stateMetrics = new Metrics.BrokerStateMetrics(this);
    }

    /// <summary>The static configuration (server.properties and <c>--set</c>) the broker started with.</summary>
    public BrokerConfig Config { get; }

    /// <summary>The static configuration plus the dynamic broker configs set through AlterConfigs.</summary>
    internal BrokerConfigLayers ConfigLayers { get; }
    internal TimeProvider Time { get; }
    internal TopicManager Topics { get; }
    internal GroupCoordinator Groups { get; }
    internal ConsumerOffsetsLog OffsetsLog { get; }
    internal Transactions.BrokerTransactions Transactions { get; }
    internal ApiHandlerRegistry Handlers { get; }

    /// <summary>Incremental fetch sessions (KIP-227).</summary>
    internal FetchSessions.FetchSessionCache FetchSessions { get; }
    internal ClusterView Cluster => _cluster;

    /// <summary>Client quotas (produce, fetch, request time) and connection limits.</summary>
    internal Quotas.BrokerQuotas Quotas { get; }

    /// <summary>Every listener's TLS and SASL settings.</summary>
    public BrokerSecurity Security { get; }

    /// <summary>The web console's session signing key and logged-out sessions (the log dir's file, or the cluster's metadata store).</summary>
    public WebConsole.ConsoleSessionState ConsoleSessions { get; }

    /// <summary>ACLs and the checks every handler makes (allows everything unless authorizer.class.name is set).</summary>
    public AclAuthorizer Authorizer { get; }

    internal ILogger CreateLogger<T>() => _loggerFactory.CreateLogger<T>();
    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>
    /// Completes when the group coordinator has replayed __consumer_offsets and the transaction
    /// coordinator __transaction_state; until then their requests answer
    /// COORDINATOR_LOAD_IN_PROGRESS (clients retry).
    /// </summary>
    public Task GroupsLoaded { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// Opens every partition log under log.dirs (running recovery where needed), then starts
    /// replaying __consumer_offsets in the background (<see cref="GroupsLoaded"/>).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Config.LogDirs[0]);
        _cluster.LoadOrCreateMeta(Config.LogDirs[0]);
        Authorizer.Load();
        ILogger log = _loggerFactory.CreateLogger<KafkaBroker>();
        ConfigLayers.Load(Config.LogDirs[0], message => log.LogWarning("{Message}", message));
        if (_clusterSecurity is null)
        {
            Security.ScramCredentials.Load(Config.LogDirs[0]);
        }
        await Topics.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (Config.MetadataEtcdEndpoints is not null)
        {
            Clustering.CoordinatorSetup.BeforeJoin(this); // coordinators follow __consumer_offsets/__transaction_state leadership
            return;
        }
        Groups.BeginLoading();
        Transactions.BeginLoading();
        GroupsLoaded = Task.Run(LoadGroups, CancellationToken.None);
    }

    private void LoadGroups()
    {
        var log = _loggerFactory.CreateLogger<KafkaBroker>();
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        int records = Groups.Load(OffsetsLog.ReadAll());
        log.LogInformation("Loaded {Records} records of {Topic} in {Elapsed} ms", records, ConsumerOffsetsLog.TopicName,
            (int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Groups.RestorePendingTxnOffsets(OffsetsLog.OpenTransactionalRecords.Select(PendingOffset).OfType<PendingTxnOffset>());
        Transactions.Load(log);
        Groups.StartOffsetExpiry(TimeSpan.FromMilliseconds(Config.OffsetsRetentionCheckIntervalMs),
            TimeSpan.FromMilliseconds(Config.OffsetsRetentionMs));
    }

    internal static PendingTxnOffset? PendingOffset((long ProducerId, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value) record)
        => record.Value is { } value && OffsetRecords.TryParseKey(record.Key, out string group, out string topic, out int partition)
            && OffsetRecords.TryParseValue(value, out CommittedOffset offset)
            ? new PendingTxnOffset(record.ProducerId, group, topic, partition, offset) : null;

    /// <summary>
    /// Tells the broker where its Kafka listeners are bound, so Metadata advertises real ports
    /// when a listener asked for port 0.
    /// </summary>
    public void SetBoundListeners(IReadOnlyList<System.Net.IPEndPoint> endpoints) => _cluster.SetBound(endpoints);

    /// <summary>
    /// With rill.metadata.etcd.endpoints set, registers this broker in the cluster (after the listeners are
    /// bound, so it registers the advertised port); otherwise does nothing.
    /// </summary>
    public async Task JoinClusterAsync(CancellationToken cancellationToken = default)
    {
        _cluster.Member = await Clustering.ClusterJoin.JoinAsync(Config, _cluster, _loggerFactory, cancellationToken).ConfigureAwait(false);
        if (_cluster.Member is { } member)
        {
            if (_clusterSecurity is { } security)
            {
                await security.BindAsync(this, member.Store, Config.MetadataEtcdPrefix, cancellationToken).ConfigureAwait(false);
            }
            var replication = new Replication.ReplicaManager(this, member, _loggerFactory.CreateLogger<Replication.ReplicaManager>());
            await replication.StartAsync(cancellationToken).ConfigureAwait(false);
            Replication = replication;
            Coordinators = new Clustering.CoordinatorPlacement(this, replication, _loggerFactory.CreateLogger<Clustering.CoordinatorPlacement>());
            Coordinators.Start();
        }
    }

    /// <summary>Cluster mode: where groups and transactional ids are coordinated (the leaders of their internal partitions); null on a single node.</summary>
    internal Clustering.CoordinatorPlacement? Coordinators { get; private set; }

    /// <summary>Cluster mode's data path (topics in the metadata store, replication, failover); null on a single node.</summary>
    internal Replication.ReplicaManager? Replication { get; private set; }

    /// <summary>Serves one accepted Kafka connection until it closes.</summary>
    public Task OnConnectedAsync(ConnectionContext connection) => _connections.OnConnectedAsync(connection);

    /// <summary>Serves one connection accepted on <paramref name="listener"/> (TLS already negotiated by the host).</summary>
    public Task OnConnectedAsync(ConnectionContext connection, ListenerSecurity listener) => _connections.OnConnectedAsync(connection, listener);

    /// <summary>Stops serving requests in flight, then flushes and closes every log.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (Coordinators is { } coordinators)
        {
            await coordinators.DisposeAsync().ConfigureAwait(false);
        }
        if (Replication is { } replication)
        {
            await replication.DisposeAsync().ConfigureAwait(false); // controlled shutdown: leaderships move first
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _stateMetrics.Dispose();
        Quotas.Dispose();
        if (_clusterSecurity is { } security)
        {
            await security.DisposeAsync().ConfigureAwait(false);
        }
        if (_cluster.Member is { } member)
        {
            await Clustering.ClusterJoin.LeaveAsync(member).ConfigureAwait(false);
        }
        Transactions.Dispose();
        Groups.Dispose();
        await Topics.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
