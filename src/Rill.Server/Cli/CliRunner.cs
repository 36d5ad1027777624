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
}
