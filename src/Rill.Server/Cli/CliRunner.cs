using Rill.Client;

namespace Rill.Server.Cli;

/// <summary>Runs a client command: --help, usage errors (exit 2) and Kafka or network errors (exit 1) as one line each.</summary>
internal static class CliRunner
{
    public static async Task<int> RunAsync(string command, string help, string[] args, Console3 io, Func<Task<int>> body)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            io.Out.WriteLine(help);
            return 0;
        }
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            io.Err.WriteLine($"rill {command}: {e.Message} (see 'rill {command} --help')");
            return 2;
        }
        catch (KafkaException e)
        {
            io.Err.WriteLine($"rill {command}: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is ArgumentException or IOException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            io.Err.WriteLine($"rill {command}: {e.Message}");
            return 1;
        }
    }

    public static string Bootstrap(CliArgs args) => args.Require("--bootstrap-server");

    /// <summary>Every client command takes --command-config FILE (Kafka's tools' name): client properties such as security.protocol.</summary>
    public const string CommandConfigOption = "--command-config";

    /// <summary>
    /// Applies the --command-config file (librdkafka / Kafka property names: security.protocol,
    /// sasl.mechanism, sasl.username, sasl.password, ssl.ca.location, ...) to a client config.
    /// </summary>
    public static T Configure<T>(CliArgs args, T config) where T : ClientConfig
    {
        if (args.Get(CommandConfigOption) is { } path)
        {
            IReadOnlyList<KeyValuePair<string, string>> properties;
            try
            {
                properties = Rill.Broker.Config.JavaProperties.Load(path);
            }
            catch (FileNotFoundException)
            {
                throw new UsageException($"{CommandConfigOption} file '{path}' does not exist.");
            }
            foreach (var (name, value) in properties)
            {
                if (name != "bootstrap.servers" && !config.Set(name, value))
                {
                    throw new UsageException($"{CommandConfigOption}: unknown client property '{name}'.");
                }
            }
        }
        return config;
    }

    /// <summary>An admin client with the connection and security settings of <paramref name="from"/>.</summary>
    public static AdminClientConfig AdminLike(ClientConfig from)
    {
        var admin = new AdminClientConfig { BootstrapServers = from.BootstrapServers, ClientId = from.ClientId };
        from.CopySecurityTo(admin);
        return admin;
    }
}
