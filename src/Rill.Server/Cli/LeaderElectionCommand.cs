using System.Text.Json;
using Rill.Client;
using Rill.Protocol;

namespace Rill.Server.Cli;

/// <summary>`rill leader-election`: kafka-leader-election.sh — preferred or unclean leader elections.</summary>
internal static class LeaderElectionCommand
{
    public const string Help = """
        Usage: rill leader-election --bootstrap-server HOST:PORT --election-type PREFERRED|UNCLEAN
                                    (--topic NAME --partition N | --all-topic-partitions | --path-to-json-file FILE)

          --election-type TYPE       PREFERRED: the first replica of each partition's assignment leads again if it is
                                     live and in sync; UNCLEAN: a partition without a live leader gets one, outside
                                     the ISR if need be (records only the old leader had are lost)
          --topic NAME --partition N one partition
          --all-topic-partitions     every partition of every topic
          --path-to-json-file FILE   {"partitions": [{"topic": "t", "partition": 0}, ...]}
          --bootstrap-server HOST:PORT, --command-config FILE, -h/--help

        Exit code 1 when an election failed for some partition (not when none was needed).
        """;

    public static Task<int> RunAsync(string[] args, Console3 io) => CliRunner.RunAsync("leader-election", Help, args, io, async () =>
    {
        var a = CliArgs.Parse(args, ["--bootstrap-server", "--election-type", "--topic", "--partition", "--path-to-json-file", CliRunner.CommandConfigOption],
            ["--all-topic-partitions"]);
        ElectionType type = a.Require("--election-type").ToUpperInvariant() switch
        {
            "PREFERRED" => ElectionType.Preferred,
            "UNCLEAN" => ElectionType.Unclean,
            var other => throw new UsageException($"--election-type must be PREFERRED or UNCLEAN, not '{other}'"),
        };
        IReadOnlyCollection<TopicPartition>? partitions;
        if (a.Has("--all-topic-partitions"))
        {
            partitions = null;
        }
        else if (a.Get("--path-to-json-file") is { } file)
        {
            using JsonDocument json = JsonDocument.Parse(await File.ReadAllTextAsync(file).ConfigureAwait(false));
            partitions = [.. json.RootElement.GetProperty("partitions").EnumerateArray()
                .Select(p => new TopicPartition(p.GetProperty("topic").GetString()!, p.GetProperty("partition").GetInt32()))];
        }
        else if (a.Get("--topic") is { } topic)
        {
            partitions = [new TopicPartition(topic, a.GetInt("--partition", -1) is var p and >= 0 ? p : throw new UsageException("--topic needs --partition"))];
        }
        else
        {
            throw new UsageException("one of --all-topic-partitions, --topic/--partition or --path-to-json-file is required");
        }
        await using var admin = new AdminClient(CliRunner.Configure(a, new AdminClientConfig { BootstrapServers = CliRunner.Bootstrap(a), ClientId = "rill-leader-election" }));
        var results = await admin.ElectLeadersAsync(type, partitions).ConfigureAwait(false);
        string name = type.ToString().ToUpperInvariant();
        var elected = results.Where(r => r.Error == ErrorCode.None).Select(r => Name(r.Partition)).ToList();
        var notNeeded = results.Where(r => r.Error == ErrorCode.ElectionNotNeeded).Select(r => Name(r.Partition)).ToList();
        var failed = results.Where(r => r.Error is not (ErrorCode.None or ErrorCode.ElectionNotNeeded)).ToList();
        if (elected.Count > 0)
        {
            io.Out.WriteLine($"Successfully completed leader election ({name}) for partitions {string.Join(", ", elected)}");
        }
        if (notNeeded.Count > 0)
        {
            io.Out.WriteLine($"Valid replica already elected for partitions {string.Join(", ", notNeeded)}");
        }
        if (results.Count == 0)
        {
            io.Out.WriteLine($"No partition needed a leader election ({name})");
        }
        foreach (var f in failed)
        {
            io.Err.WriteLine($"Error completing leader election ({name}) for partition: {Name(f.Partition)}: {f.Error}: {f.Message}");
        }
        return failed.Count > 0 ? 1 : 0;
    });

    private static string Name(TopicPartition p) => $"{p.Topic}-{p.Partition}";
}
