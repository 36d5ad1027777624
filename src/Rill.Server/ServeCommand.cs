using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Rill.Broker.Config;
using Rill.Hosting;
using Rill.Server.Http;

namespace Rill.Server;

/// <summary>
/// `rill serve [--config server.properties] [--set key=value ...]`: runs a broker until SIGTERM or
/// Ctrl+C, then shuts down cleanly (flushes and closes every log). Prints
/// "Rill listening on host:port (kafka)" once per listener when it is ready to serve.
/// </summary>
internal static class ServeCommand
{
    private const string Help = """
        Usage: rill serve [--config server.properties] [--set key=value ...]

        Runs a Kafka-compatible broker. Properties use Apache Kafka's broker names
        (listeners, log.dirs, num.partitions, auto.create.topics.enable, log.retention.ms,
        log.segment.bytes, message.max.bytes, ...). --set overrides the file; later wins.

        Rill's own properties:
          rill.http.listener   /metrics, /health/live, /health/ready and the web console
                               /console/ (default http://127.0.0.1:9644; none turns it off)
          rill.console.enabled the web console on that listener (default true)
          rill.otlp.endpoint   also push metrics over OTLP to this URL (default: none):
                               OTLP/HTTP when the path ends in /v1/metrics, else OTLP/gRPC
          rill.otlp.interval.ms how often to push them (default 60000)
          rill.log.format      text (default) or json

        Options:
          --config FILE     a server.properties file
          --set KEY=VALUE   one property (repeatable)
          -h, --help        this help
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        string? configFile = null;
        var overrides = new List<KeyValuePair<string, string>>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "-h" or "--help":
                    Console.WriteLine(Help);
                    return 0;
                case "--config" when i + 1 < args.Length:
                    configFile = args[++i];
                    break;
                case "--set" when i + 1 < args.Length:
                    string pair = args[++i];
                    int eq = pair.IndexOf('=');
                    if (eq <= 0)
                    {
                        return CommandLine.Fail($"--set expects key=value, got '{pair}'.");
                    }
                    overrides.Add(new(pair[..eq].Trim(), pair[(eq + 1)..]));
                    break;
                default:
                    return CommandLine.Fail($"serve: unexpected argument '{arg}'.\n{Help}");
            }
        }

        BrokerConfig config;
        RillServerOptions rillOptions;
        try
        {
            (rillOptions, config) = ServerProperties.Load(configFile, overrides);
        }
        catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return CommandLine.Fail(e.Message);
        }

        using Diagnostics.RuntimeEventLog? runtimeEvents = Diagnostics.RuntimeEventLog.StartFromEnvironment();
        using ILoggerFactory loggerFactory = ConsoleLogging.Create(rillOptions.LogFormat, rillOptions.LogLevel);
        ILogger log = loggerFactory.CreateLogger("rill");
        foreach (string name in config.NotAppliedProperties)
        {
            log.LogInformation("Property {Name} is accepted but not applied by Rill", name);
        }

        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

        BrokerHost host;
        try
        {
            host = await BrokerHost.StartAsync(config, loggerFactory).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ConfigException)
        {
            return CommandLine.Fail($"cannot start: {e.Message}");
        }

        await using (host.ConfigureAwait(false))
        {
            ObservabilityHttpServer? http = null;
            if (rillOptions.HttpListener is not null)
            {
                try
                {
                    http = await ObservabilityHttpServer.StartAsync(host, rillOptions, loggerFactory).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    return CommandLine.Fail($"cannot start the HTTP listener {rillOptions.HttpListener} ({RillServerOptions.HttpListenerKey}; 'none' turns it off): {e.Message}");
                }
                Console.Out.WriteLine($"Rill HTTP on {http.Address} (metrics, health{(http.ConsoleServed ? ", console" : "")})");
            }
            foreach (var endpoint in host.KafkaEndPoints)
            {
                Console.Out.WriteLine($"Rill listening on {endpoint.Address}:{endpoint.Port} (kafka)");
            }
            Console.Out.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            log.LogInformation("Shutting down");
            if (http is not null)
            {
                await http.DisposeAsync().ConfigureAwait(false);
            }
        }
        log.LogInformation("Stopped");
        return 0;
    }
}
