using Microsoft.Extensions.Logging;
using Rill.Broker.Config;

namespace Rill.Hosting;

/// <summary>
/// A Rill broker inside the current process, for tests: binds 127.0.0.1 on a free port, keeps its
/// data in a fresh temporary directory, and removes it on dispose.
/// <code>
/// await using var broker = await EmbeddedBroker.StartAsync();
/// var config = new ProducerConfig { BootstrapServers = broker.BootstrapServers };
/// </code>
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    private readonly Dictionary<string, string> _properties;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly TimeProvider? _time;
    private readonly bool _ownsDirectory;
    private BrokerHost? _host;
    private int _port;

    private EmbeddedBroker(Dictionary<string, string> properties, string dataDirectory, bool ownsDirectory,
        ILoggerFactory? loggerFactory, TimeProvider? time)
    {
        _properties = properties;
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        _loggerFactory = loggerFactory;
        _time = time;
    }

    /// <summary>Where the partition logs live.</summary>
    public string DataDirectory { get; }

    /// <summary>"127.0.0.1:port" for a client's bootstrap.servers.</summary>
    public string BootstrapServers => Host.BootstrapServers;

    /// <summary>The port the broker listens on (on 127.0.0.1).</summary>
    public int Port => _port;

    /// <summary>The running broker host; throws <see cref="ObjectDisposedException"/> after dispose.</summary>
    public BrokerHost Host => _host ?? throw new ObjectDisposedException(nameof(EmbeddedBroker));

    /// <summary>Starts a broker on a free 127.0.0.1 port and returns once it accepts clients (logs opened, groups loaded).</summary>
    /// <param name="properties">Broker properties with Kafka's names (num.partitions, log.segment.bytes, ...).</param>
    /// <param name="dataDirectory">Keep data here instead of a new temporary directory (not deleted on dispose).</param>
    /// <param name="loggerFactory">Where the broker logs; null for nowhere.</param>
    /// <param name="time">The clock (a fake one in tests); null for the system clock.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<EmbeddedBroker> StartAsync(IReadOnlyDictionary<string, string>? properties = null,
        string? dataDirectory = null, ILoggerFactory? loggerFactory = null, TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        bool owns = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("rill-embedded-").FullName;
        var props = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["log.dirs"] = dataDirectory,
        };
        if (properties is not null)
        {
            foreach (var (key, value) in properties)
            {
                props[key] = value;
            }
        }

        var embedded = new EmbeddedBroker(props, dataDirectory, owns, loggerFactory, time);
        try
        {
            await embedded.StartHostAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await embedded.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return embedded;
    }

    /// <summary>Stops the broker cleanly and starts it again on the same data and port.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
            _host = null;
        }
        _properties["listeners"] = $"PLAINTEXT://127.0.0.1:{_port}";
        await StartHostAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task StartHostAsync(CancellationToken cancellationToken)
    {
        BrokerConfig config = BrokerConfig.FromProperties(_properties);
        _host = await BrokerHost.StartAsync(config, _loggerFactory, _time, cancellationToken).ConfigureAwait(false);
        _port = _host.KafkaEndPoints[0].Port;
        // In-process tests get a broker that serves everything at once, groups included.
        await _host.Broker.GroupsLoaded.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the broker and deletes its temporary data directory (a given one is kept).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
            _host = null;
        }
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
