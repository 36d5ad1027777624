namespace Rill.Server;

/// <summary>Dispatches `rill &lt;command&gt;`. Each command lives in its own file.</summary>
internal static class CommandLine
{
    public const string Usage = """
        Usage: rill <command> [options]

        Commands:
          serve     Run a broker: rill serve [--config server.properties] [--set key=value ...]
          topics    Create, list, describe, alter and delete topics (kafka-topics.sh)
          groups    List, describe (with lag), reset offsets of and delete consumer groups (kafka-consumer-groups.sh)
          produce   Send stdin lines as records (kafka-console-producer.sh)
          consume   Print records (kafka-console-consumer.sh)
          configs   Describe and alter topic and broker configs (kafka-configs.sh)
          acls      Add, remove and list ACLs (kafka-acls.sh)
          transactions  List, describe, find hanging and abort transactions (kafka-transactions.sh)
          users     List, describe, add, alter and delete SCRAM credentials (kafka-configs.sh --entity-type users)
          top       Live view of throughput, busiest partitions and consumer lag (reads a broker's /metrics)
          cluster   Describe the cluster: id, controller, brokers, etcd members' health
          leader-election      Preferred or unclean leader elections (kafka-leader-election.sh)
          reassign-partitions  Generate, execute, verify and cancel partition reassignments (kafka-reassign-partitions.sh)
          bench     Producer and consumer throughput and latency (kafka-producer-perf-test.sh, kafka-consumer-perf-test.sh)

        Run 'rill <command> --help' for a command's options.
        """;

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Cli.Console3.System);

    public static async Task<int> RunAsync(string[] args, Cli.Console3 io)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? io.Err : io.Out).WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
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
            "topics" => await Cli.TopicsCommand.RunAsync(rest, io).ConfigureAwait(false),
            "groups" => await Cli.GroupsCommand.RunAsync(rest, io).ConfigureAwait(false),
            "produce" => await Cli.ProduceCommand.RunAsync(rest, io).ConfigureAwait(false),
            "consume" => await Cli.ConsumeCommand.RunAsync(rest, io).ConfigureAwait(false),
            "configs" => await Cli.ConfigsCommand.RunAsync(rest, io).ConfigureAwait(false),
            "acls" => await Cli.AclsCommand.RunAsync(rest, io).ConfigureAwait(false),
            "cluster" => await Cli.ClusterCommand.RunAsync(rest, io).ConfigureAwait(false),
            "transactions" => await Cli.TransactionsCommand.RunAsync(rest, io).ConfigureAwait(false),
            "leader-election" => await Cli.LeaderElectionCommand.RunAsync(rest, io).ConfigureAwait(false),
            "reassign-partitions" => await Cli.ReassignPartitionsCommand.RunAsync(rest, io).ConfigureAwait(false),
            "bench" => await Cli.BenchCommand.RunAsync(rest, io).ConfigureAwait(false),
            "users" => await Cli.UsersCommand.RunAsync(rest, io).ConfigureAwait(false),
            "top" => await Cli.TopCommand.RunAsync(rest, io).ConfigureAwait(false),
            _ => FailUsage(io, $"unknown command '{args[0]}' (run 'rill --help')."),
        };
    }

    private static int FailUsage(Cli.Console3 io, string message)
    {
        io.Err.WriteLine($"rill: {message}");
        return 2;
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"rill: {message}");
        return 2;
    }
}
