using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Rill.Broker.WebConsole;
using Rill.Broker.Metrics;
using Rill.Hosting;
using Rill.Server.Http.WebConsole;

namespace Rill.Server.Http;

/// <summary>
/// The HTTP listener of <c>rill serve</c> (<c>rill.http.listener</c>), off the Kafka ports:
/// <c>/metrics</c> (OpenTelemetry's Prometheus exporter over the Rill meters), <c>/health/live</c>
/// and <c>/health/ready</c>, and the web console (<c>/console/</c>, its JSON API under <c>/api/</c>)
/// unless <c>rill.console.enabled=false</c>. Metrics are collected only while this server runs, so with
/// <c>rill.http.listener=none</c> (and no OTLP endpoint) the instruments have no listener and cost
/// next to nothing.
/// </summary>
public sealed class ObservabilityHttpServer : IAsyncDisposable
{
    /// <summary>Seconds; request times run from tens of microseconds (ApiVersions) to a long-poll's max wait.</summary>
    private static readonly double[] TimeBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly WebApplication _app;
    private readonly BrokerConsole? _console;

    private ObservabilityHttpServer(WebApplication app, Uri address, BrokerConsole? console)
    {
        _app = app;
        Address = address;
        _console = console;
    }

    /// <summary>True when the web console (/console/, /api/) is served.</summary>
    public bool ConsoleServed => _console is not null;

    /// <summary>The bound address (the real port when port 0 was asked for).</summary>
    public Uri Address { get; }

    public static async Task<ObservabilityHttpServer> StartAsync(BrokerHost host, RillServerOptions options,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        Uri listen = options.HttpListener ?? throw new ArgumentException("The HTTP listener is off (none).", nameof(options));
        // The empty builder, plus only what is served here (Kestrel, routing, logging): the slim builder
        // would also load configuration providers (appsettings.json with a file watcher, environment
        // variables, command line) that rill serve never reads. docs/dev/observability.md has the
        // idle RSS this saves.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(ResolveBindAddress(listen));
        });
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("rill", serviceVersion: typeof(BrokerMeters).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics =>
        {
            metrics.AddMeter(BrokerMeters.AllMeterNames);
            metrics.AddView(instrument => instrument.Unit == "s" && instrument is System.Diagnostics.Metrics.Histogram<double>
                ? new ExplicitBucketHistogramConfiguration { Boundaries = TimeBuckets }
                : null);
            metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            if (options.OtlpEndpoint is not null)
            {
                AddOtlpExporter(metrics, options);
            }
        });

        WebApplication app = builder.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        // RequestDelegates, not minimal-API lambdas: those are compiled from expression trees at the
        // first request (System.Linq.Expressions and its JIT: about 5 MB of RSS, docs/dev/observability.md).
        app.MapGet("/health/live", context => PlainText(context, StatusCodes.Status200OK, "live\n"));
        app.MapGet("/health/ready", context => Ready(host) is { } notReady
            ? PlainText(context, StatusCodes.Status503ServiceUnavailable, notReady + "\n")
            : PlainText(context, StatusCodes.Status200OK, "ready\n"));
        BrokerConsole? console = options.ConsoleEnabled ? new BrokerConsole(host.Broker) : null;
        if (console is not null)
        {
            ConsoleApi.Map(app, console, new ConsoleAuth(host.Broker, console, options, loggerFactory.CreateLogger("Rill.Console")));
            ConsoleAssets.Map(app);
        }
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            console?.Dispose();
            throw;
        }

        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ObservabilityHttpServer(app, new Uri(bound), console);
    }

    /// <summary>
    /// In its own method so that the OTLP exporter's assemblies load only when an endpoint is configured (the JIT
    /// resolves every method a method calls when it compiles it, taken branch or not).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void AddOtlpExporter(MeterProviderBuilder metrics, RillServerOptions options) =>
        metrics.AddOtlpExporter((exporter, reader) =>
        {
            exporter.Endpoint = options.OtlpEndpoint!;
            exporter.Protocol = options.OtlpOverHttp
                ? OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf
                : OpenTelemetry.Exporter.OtlpExportProtocol.Grpc;
            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)Math.Min(int.MaxValue, options.OtlpInterval.TotalMilliseconds);
        });

    private static Task PlainText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text);
    }

    /// <summary>Null when ready; else what is missing. Storage is loaded before the host exists.</summary>
    private static string? Ready(BrokerHost host)
    {
        if (host.KafkaEndPoints.Count == 0)
        {
            return "no Kafka listener is up";
        }
        if (!host.Broker.GroupsLoaded.IsCompletedSuccessfully)
        {
            return "the group coordinator is still loading __consumer_offsets";
        }
        return null;
    }

    private static IPEndPoint ResolveBindAddress(Uri uri)
    {
        int port = uri.Port;
        string host = uri.Host.Trim('[', ']');
        if (host is "" or "0.0.0.0" or "*" or "+")
        {
            return new IPEndPoint(IPAddress.Any, port);
        }
        if (host == "::")
        {
            return new IPEndPoint(IPAddress.IPv6Any, port);
        }
        if (IPAddress.TryParse(host, out IPAddress? address))
        {
            return new IPEndPoint(address, port);
        }
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }
        return new IPEndPoint(Dns.GetHostAddresses(host).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork), port);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await _app.DisposeAsync().ConfigureAwait(false);
        _console?.Dispose();
    }
}
