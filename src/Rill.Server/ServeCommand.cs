using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Rill.Broker.Config;
using Rill.Hosting;

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
        try
        {
            config = BrokerConfig.Load(configFile, overrides);
        }
        catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException)
        {
            return CommandLine.Fail(e.Message);
        }

        using ILoggerFactory loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning));
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
        }
        log.LogInformation("Stopped");
        return 0;
    }
}
