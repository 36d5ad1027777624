using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rill.Broker;
using Rill.Broker.Config;
using Rill.Broker.Security;

namespace Rill.Hosting;

/// <summary>
/// Runs a <see cref="KafkaBroker"/> behind Kestrel sockets: one Kestrel endpoint per Kafka
/// listener. Kestrel is used directly (no generic host) so a broker starts in milliseconds.
/// </summary>
public sealed class BrokerHost : IAsyncDisposable
{
    private readonly KafkaBroker _broker;
    private readonly KestrelServer _server;
    private int _disposed;

    private BrokerHost(KafkaBroker broker, KestrelServer server, IReadOnlyList<IPEndPoint> endpoints)
    {
        _broker = broker;
        _server = server;
        KafkaEndPoints = endpoints;
    }

    /// <summary>The broker itself (topics, groups, settings).</summary>
    public KafkaBroker Broker => _broker;

    /// <summary>The bound Kafka listener addresses (real ports, also when port 0 was asked for).</summary>
    public IReadOnlyList<IPEndPoint> KafkaEndPoints { get; }

    /// <summary>host:port list for a client's bootstrap.servers.</summary>
    public string BootstrapServers => string.Join(',', KafkaEndPoints.Select(e => $"{e.Address}:{e.Port}"));

    /// <summary>Starts a broker with these settings: opens its logs, loads groups, then listens on its Kafka listeners.</summary>
    /// <param name="config">The broker's settings (Kafka's broker property names, parsed).</param>
    /// <param name="loggerFactory">Where the broker logs; null for nowhere.</param>
    /// <param name="time">The clock (a fake one in tests); null for the system clock.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<BrokerHost> StartAsync(BrokerConfig config, ILoggerFactory? loggerFactory = null,
        TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        var broker = new KafkaBroker(config, loggerFactory, time);
        try
        {
            await broker.StartAsync(cancellationToken).ConfigureAwait(false);

            var kestrelOptions = new KestrelServerOptions
            {
                ApplicationServices = new LoggerOnlyServices(loggerFactory),
                AddServerHeader = false,
            };
            var listens = new List<ListenOptions>();
            foreach (ListenerAddress listener in config.Listeners)
            {
                ListenerSecurity security = broker.Security.For(listener.Name);
                kestrelOptions.Listen(ResolveBindAddress(listener), options =>
                {
                    if (security.Tls is TlsSettings tls)
                    {
                        ILogger tlsLog = loggerFactory.CreateLogger<TlsConnectionMiddleware>();
                        options.Use(next => new TlsConnectionMiddleware(next, tls, tlsLog).OnConnectionAsync);
                    }
                    options.Use(_ => connection => broker.OnConnectedAsync(connection, security));
                    listens.Add(options);
                });
            }

            var socketOptions = new SocketTransportOptions
            {
                // Frames are copied out of the pipe as they arrive, so the default 1 MiB read buffer
                // only bounds what waits while a request is being served (backpressure).
                MaxReadBufferSize = 1024 * 1024,
                MaxWriteBufferSize = 64L * 1024 * 1024,
                NoDelay = true,
            };
            LargeBlockMemoryPool.TryInstall(socketOptions);
            var transport = new SocketTransportFactory(Options.Create(socketOptions), loggerFactory);
            var server = new KestrelServer(Options.Create(kestrelOptions), transport, loggerFactory);
            await server.StartAsync(new NoHttpApplication(), cancellationToken).ConfigureAwait(false);

            var bound = listens.Select(l => (IPEndPoint)l.EndPoint).ToList();
            broker.SetBoundListeners(bound);
            await broker.JoinClusterAsync(cancellationToken).ConfigureAwait(false);
            return new BrokerHost(broker, server, bound);
        }
        catch
        {
            await broker.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static IPEndPoint ResolveBindAddress(ListenerAddress listener)
    {
        if (string.IsNullOrEmpty(listener.Host) || listener.Host == "0.0.0.0")
        {
            return new IPEndPoint(IPAddress.Any, listener.Port);
        }
        if (listener.Host == "::")
        {
            return new IPEndPoint(IPAddress.IPv6Any, listener.Port);
        }
        if (IPAddress.TryParse(listener.Host, out IPAddress? address))
        {
            return new IPEndPoint(address, listener.Port);
        }
        if (string.Equals(listener.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, listener.Port);
        }
        IPAddress[] addresses = Dns.GetHostAddresses(listener.Host);
        return new IPEndPoint(addresses.First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork), listener.Port);
    }

    /// <summary>Stops accepting, closes connections, then flushes and closes the logs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _server.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await _broker.DisposeAsync().ConfigureAwait(false);
        _server.Dispose();
    }

    /// <summary>Kestrel wants an HTTP application; the Kafka listeners never reach it.</summary>
    private sealed class NoHttpApplication : IHttpApplication<IFeatureCollection>
    {
        public IFeatureCollection CreateContext(IFeatureCollection contextFeatures) => contextFeatures;
        public Task ProcessRequestAsync(IFeatureCollection context) => Task.CompletedTask;
        public void DisposeContext(IFeatureCollection context, Exception? exception) { }
    }
}
