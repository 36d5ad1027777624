namespace Rill.Server;

/// <summary>Dispatches `rill &lt;command&gt;`. Each command lives in its own file.</summary>
internal static class CommandLine
{
    public const string Usage = """
        Usage: rill <command> [options]

        Commands:
          serve     Run a broker: rill serve [--config server.properties] [--set key=value ...]

        Run 'rill <command> --help' for a command's options.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }
        if (args[0] is "--version" or "version")
        {
            Console.WriteLine($"rill {typeof(CommandLine).Assembly.GetName().Version}");
            return 0;
        }
        string[] rest = args[1..];
        return args[0] switch
        {
            "serve" => await ServeCommand.RunAsync(rest).ConfigureAwait(false),
            _ => Fail($"Unknown command '{args[0]}'.\n{Usage}"),
        };
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"rill: {message}");
        return 2;
    }
}
