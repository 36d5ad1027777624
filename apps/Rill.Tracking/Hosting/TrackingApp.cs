using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Rill.Tracking.Auth;
using Rill.Tracking.Demo;
using Rill.Tracking.Endpoints;
using Rill.Tracking.Geo;
using Rill.Tracking.History;
using Rill.Tracking.Ingest;
using Rill.Tracking.Orders;
using Rill.Tracking.Positions;
using Rill.Tracking.Stats;
using Rill.Tracking.Streaming;
using Rill.Tracking.Workers;

namespace Rill.Tracking.Hosting;

/// <summary>
/// The whole app in one object: the Kafka side (embedded broker or external cluster, topics), the
/// web host with the endpoints of the configured roles, and the workers. Program.cs and the tests
/// both start it through <see cref="StartAsync"/>.
/// </summary>
public sealed class TrackingApp : IAsyncDisposable
{
    private TrackingApp(TrackingOptions options, KafkaRuntime kafka, WebApplication app, string operatorKey)
    {
        Options = options;
        Kafka = kafka;
        App = app;
        OperatorKey = operatorKey;
    }

    public TrackingOptions Options { get; }
    public KafkaRuntime Kafka { get; }
    public WebApplication App { get; }
    public string OperatorKey { get; }

    /// <summary>The first address the app listens on (the real port when bound to port 0).</summary>
    public Uri BaseAddress => new(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static async Task<TrackingApp> StartAsync(TrackingOptions options, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        options.OperatorKey ??= Environment.GetEnvironmentVariable("RILL_TRACKING_OPERATOR_KEY") is { Length: > 0 } env
            ? env
            : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Directory.CreateDirectory(options.DataDirectory);
        KafkaRuntime kafka = await KafkaRuntime.StartAsync(options, cancellationToken);
        WebApplication? app = null;
        try
        {
            app = Build(options, kafka, logging);
            await app.StartAsync(cancellationToken);
            if ((options.Roles & Roles.History) != 0)
            {
                // the store is created on first use; make a broken connection string fail the start
                _ = app.Services.GetRequiredService<IHistoryStore>();
            }
            if ((options.Roles & Roles.Ingest) != 0)
            {
                // a Produce that has to wait for metadata blocks its thread; keep enough threads for bursts of those
                ThreadPool.GetMinThreads(out int workers, out int io);
                ThreadPool.SetMinThreads(Math.Max(workers, 64), io);
                await app.Services.GetRequiredService<UpdateProducer>().WarmUpAsync(cancellationToken);
                app.Services.GetRequiredService<RoleStatus>().MarkRunning(Roles.Ingest);
            }
            return new TrackingApp(options, kafka, app, options.OperatorKey);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
            await kafka.DisposeAsync();
            throw;
        }
    }

    private static WebApplication Build(TrackingOptions options, KafkaRuntime kafka, Action<ILoggingBuilder>? logging)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = WebRoot.Locate(),
            Args = [],
        });
        builder.WebHost.UseUrls(options.Urls.Split(';', ',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Rill.Tracking", LogLevel.Information);
        logging?.Invoke(builder.Logging);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase;
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });

        IServiceCollection s = builder.Services;
        Roles roles = options.Roles;
        s.AddSingleton(options);
        s.AddSingleton(kafka);
        s.AddSingleton<RoleStatus>();
        s.AddSingleton(TokenSigner.FromOperatorKey(options.OperatorKey!));
        s.AddSingleton<OperatorAuth>();
        s.AddSingleton<OperatorFilter>();
        s.AddSingleton(_ => new CityMap(options.CitySeed));
        s.AddSingleton<EtaEstimator>();
        s.AddSingleton<SseHub>();
        s.AddSingleton<IngestMetrics>();
        AddHosted<OrderBook>(s);
        s.AddSingleton<OrderEventProducer>();
        AddHosted<StatsService>(s);
        s.AddSingleton<RiderLatestFollower>();
        if ((roles & (Roles.Customer | Roles.Support)) != 0)
        {
            s.AddHostedService(sp => sp.GetRequiredService<RiderLatestFollower>());
        }
        if ((roles & Roles.Ingest) != 0)
        {
            s.AddSingleton<UpdateProducer>();
            s.AddSingleton(new RateLimiter(options.RiderRatePerSecond));
            s.AddSingleton<RiderSocketEndpoint>();
        }
        if ((roles & Roles.Customer) != 0)
        {
            AddHosted<CustomerWorker>(s);
        }
        if ((roles & Roles.Restaurant) != 0)
        {
            AddHosted<RestaurantWorker>(s);
        }
        if ((roles & Roles.Support) != 0)
        {
            AddHosted<SupportWorker>(s);
        }
        if ((roles & Roles.Notifications) != 0)
        {
            AddHosted<NotificationsWorker>(s);
        }
        if ((roles & Roles.History) != 0)
        {
            s.AddSingleton<IHistoryStore>(_ =>
            {
                IHistoryStore store = options.PostgresConnectionString is { } pg
                    ? new PostgresHistoryStore(pg)
                    : new SqliteHistoryStore(Path.Combine(options.DataDirectory, "history.db"));
                store.InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
                return store;
            });
            AddHosted<HistoryWorker>(s);
        }
        if (options.Demo)
        {
            AddHosted<DemoRiders>(s);
        }

        WebApplication app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        app.UseDefaultFiles();
        app.UseStaticFiles();
        InfoEndpoints.Map(app, options);
        OrderEndpoints.Map(app);
        if ((roles & Roles.Ingest) != 0)
        {
            app.Map("/ws/rider", (HttpContext context, RiderSocketEndpoint endpoint) => endpoint.HandleAsync(context));
        }
        if ((roles & Roles.Customer) != 0)
        {
            StreamEndpoints.MapCustomer(app);
        }
        if ((roles & Roles.Restaurant) != 0)
        {
            StreamEndpoints.MapRestaurant(app);
        }
        if ((roles & Roles.Support) != 0)
        {
            SupportEndpoints.Map(app);
        }
        if (options.Demo)
        {
            app.MapGet("/api/demo/orders", (DemoRiders demo) => Results.Ok(demo.Orders));
        }
        return app;
    }

    private static void AddHosted<T>(IServiceCollection services) where T : class, IHostedService
    {
        services.AddSingleton<T>();
        services.AddHostedService(sp => sp.GetRequiredService<T>());
    }

    /// <summary>What the app prints at start: where everything is.</summary>
    public string Banner()
    {
        string b = BaseAddress.ToString().TrimEnd('/');
        var lines = new List<string>
        {
            "Rill tracking is running",
            $"  app        {b}/   (health: {b}/health)",
            $"  customer   {b}/track.html?order=ORDER&token=TOKEN   (POST /api/orders returns the link)",
            $"  restaurant {b}/restaurant.html?id=RESTAURANT",
            $"  support    {b}/support.html",
            $"  riders     ws://{BaseAddress.Authority}/ws/rider?token=TOKEN",
            Kafka.Embedded is { } e
                ? $"  broker     {Kafka.BootstrapServers}   (embedded Rill broker, data in {e.DataDirectory})"
                : $"  broker     {Kafka.BootstrapServers}   (external cluster)",
            $"  topics     rider-updates (partitions by region: {Kafka.PartitionMap}), rider-latest (compacted), order-events",
            $"  roles      {string.Join(",", RolesText.Each(Options.Roles).Select(RolesText.NameOf))}",
        };
        if ((Options.Roles & Roles.History) != 0)
        {
            lines.Add($"  history    {Service<IHistoryStore>().Name}");
        }
        lines.Add(Options.Demo ? "  demo       on: no operator key needed, simulated riders (GET /api/demo/orders lists their tracking links)"
            : $"  operator   key {OperatorKey}   (Authorization: Bearer KEY or ?key=KEY)");
        return string.Join(Environment.NewLine, lines);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await App.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await App.DisposeAsync();
        await DisposeIfCreatedAsync<UpdateProducer>();
        await Kafka.DisposeAsync();
    }

    private async Task DisposeIfCreatedAsync<T>() where T : class, IAsyncDisposable
    {
        // singletons that were created are disposed with the container; nothing else to do
        await Task.CompletedTask;
    }
}
