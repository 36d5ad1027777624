using System.Text;
using System.Text.Json;
using Rill.Client;
using Rill.Protocol;

namespace Rill.Server.Cli;

/// <summary>`rill reassign-partitions`: kafka-reassign-partitions.sh — generate, execute, verify and cancel reassignments, in Kafka's JSON format.</summary>
internal static class ReassignPartitionsCommand
{
    public const string Help = """
        Usage: rill reassign-partitions --bootstrap-server HOST:PORT ACTION [options]

        Actions (one):
          --generate   propose an assignment of --topics-to-move-json-file's topics over --broker-list
                       (prints the current and the proposed assignment; changes nothing)
          --execute    start the reassignment of --reassignment-json-file (prints the current assignment first,
                       to keep for a rollback)
          --verify     say for each partition of --reassignment-json-file whether its reassignment is complete
                       (exit 1 while one is still in progress or does not match)
          --cancel     cancel the reassignments in progress of --reassignment-json-file's partitions
          --list       the reassignments in progress, with the replicas being added and removed

        Options:
          --reassignment-json-file FILE     {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3]}]}
          --topics-to-move-json-file FILE   {"version":1,"topics":[{"topic":"t"}]}
          --broker-list 1,2,3               the brokers --generate may use
          --bootstrap-server HOST:PORT, --command-config FILE, -h/--help
        """;

    public static Task<int> RunAsync(string[] args, Console3 io) => CliRunner.RunAsync("reassign-partitions", Help, args, io, async () =>
    {
        var a = CliArgs.Parse(args, ["--bootstrap-server", "--reassignment-json-file", "--topics-to-move-json-file", "--broker-list", CliRunner.CommandConfigOption],
            ["--generate", "--execute", "--verify", "--cancel", "--list"]);
        string action = a.Action("--generate", "--execute", "--verify", "--cancel", "--list");
        await using var admin = new AdminClient(CliRunner.Configure(a, new AdminClientConfig { BootstrapServers = CliRunner.Bootstrap(a), ClientId = "rill-reassign-partitions" }));
        switch (action)
        {
            case "--generate":
                return await GenerateAsync(admin, a, io).ConfigureAwait(false);
            case "--execute":
            {
                var wanted = await ReadAssignmentAsync(a).ConfigureAwait(false);
                var current = await CurrentAsync(admin, wanted.Keys.Select(p => p.Topic).Distinct()).ConfigureAwait(false);
                io.Out.WriteLine("Current partition replica assignment");
                io.Out.WriteLine();
                io.Out.WriteLine(ToJson(current.Where(c => wanted.ContainsKey(c.Key))));
                io.Out.WriteLine();
                io.Out.WriteLine("Save this to use as the --reassignment-json-file option during rollback");
                var results = await admin.AlterPartitionReassignmentsAsync(wanted.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<int>?)kv.Value)).ConfigureAwait(false);
                return Report(io, results, "started partition reassignments for", "Error reassigning partition");
            }
            case "--cancel":
            {
                var wanted = await ReadAssignmentAsync(a).ConfigureAwait(false);
                var results = await admin.AlterPartitionReassignmentsAsync(wanted.ToDictionary(kv => kv.Key, _ => (IReadOnlyList<int>?)null)).ConfigureAwait(false);
                return Report(io, results, "cancelled partition reassignments for", "Error cancelling the reassignment of partition");
            }
            case "--verify":
            {
                var wanted = await ReadAssignmentAsync(a).ConfigureAwait(false);
                var ongoing = (await admin.ListPartitionReassignmentsAsync(wanted.Keys.ToList()).ConfigureAwait(false)).ToDictionary(r => r.Partition);
                var current = await CurrentAsync(admin, wanted.Keys.Select(p => p.Topic).Distinct()).ConfigureAwait(false);
                io.Out.WriteLine("Status of partition reassignment:");
                bool done = true;
                foreach (var (partition, replicas) in wanted.OrderBy(kv => kv.Key.Topic, StringComparer.Ordinal).ThenBy(kv => kv.Key.Partition))
                {
                    if (ongoing.ContainsKey(partition))
                    {
                        io.Out.WriteLine($"Reassignment of partition {Name(partition)} is still in progress.");
                        done = false;
                    }
                    else if (current.TryGetValue(partition, out var now) && now.SequenceEqual(replicas))
                    {
                        io.Out.WriteLine($"Reassignment of partition {Name(partition)} is completed.");
                    }
                    else
                    {
                        io.Out.WriteLine($"There is no active reassignment of partition {Name(partition)}, but replica set is " +
                            $"[{string.Join(", ", now ?? [])}] rather than [{string.Join(", ", replicas)}].");
                        done = false;
                    }
                }
                return done ? 0 : 1;
            }
            default:
            {
                var ongoing = await admin.ListPartitionReassignmentsAsync().ConfigureAwait(false);
                TableWriter.Write(io.Out, ["Topic", "Partition", "Replicas", "Adding", "Removing"],
                    ongoing.OrderBy(r => r.Partition.Topic, StringComparer.Ordinal).ThenBy(r => r.Partition.Partition).Select(r => (IReadOnlyList<string>)
                        [r.Partition.Topic, r.Partition.Partition.ToString(), string.Join(',', r.Replicas), string.Join(',', r.Adding), string.Join(',', r.Removing)]));
                return 0;
            }
        }
    });

    /// <summary>Round-robin over the listed brokers (from a topic-dependent start), keeping each partition's replication factor.</summary>
    private static async Task<int> GenerateAsync(AdminClient admin, CliArgs a, Console3 io)
    {
        string file = a.Require("--topics-to-move-json-file", "with --generate");
        int[] brokers = [.. a.Require("--broker-list", "with --generate").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse)];
        using JsonDocument json = JsonDocument.Parse(await File.ReadAllTextAsync(file).ConfigureAwait(false));
        string[] topics = [.. json.RootElement.GetProperty("topics").EnumerateArray().Select(t => t.GetProperty("topic").GetString()!)];
        var current = await CurrentAsync(admin, topics).ConfigureAwait(false);
        var proposed = new Dictionary<TopicPartition, IReadOnlyList<int>>();
        foreach (var (partition, replicas) in current)
        {
            if (replicas.Count > brokers.Length)
            {
                throw new UsageException($"{Name(partition)} has {replicas.Count} replicas but --broker-list names only {brokers.Length} brokers");
            }
            int start = (partition.Topic.GetHashCode(StringComparison.Ordinal) & 0x7fffffff) % brokers.Length;
            proposed[partition] = [.. Enumerable.Range(0, replicas.Count).Select(k => brokers[(start + partition.Partition + k) % brokers.Length])];
        }
        io.Out.WriteLine("Current partition replica assignment");
        io.Out.WriteLine(ToJson(current));
        io.Out.WriteLine();
        io.Out.WriteLine("Proposed partition reassignment configuration");
        io.Out.WriteLine(ToJson(proposed));
        return 0;
    }

    private static int Report(Console3 io, IReadOnlyList<ReassignmentResult> results, string success, string failure)
    {
        var ok = results.Where(r => r.Error == ErrorCode.None).Select(r => Name(r.Partition)).ToList();
        if (ok.Count > 0)
        {
            io.Out.WriteLine($"Successfully {success} {string.Join(",", ok)}");
        }
        var failed = results.Where(r => r.Error != ErrorCode.None).ToList();
        foreach (var f in failed)
        {
            io.Err.WriteLine($"{failure} {Name(f.Partition)}: {f.Error}: {f.Message}");
        }
        return failed.Count > 0 ? 1 : 0;
    }

    private static async Task<Dictionary<TopicPartition, IReadOnlyList<int>>> ReadAssignmentAsync(CliArgs a)
    {
        string file = a.Require("--reassignment-json-file");
        using JsonDocument json = JsonDocument.Parse(await File.ReadAllTextAsync(file).ConfigureAwait(false));
        var result = new Dictionary<TopicPartition, IReadOnlyList<int>>();
        foreach (JsonElement p in json.RootElement.GetProperty("partitions").EnumerateArray())
        {
            var partition = new TopicPartition(p.GetProperty("topic").GetString()!, p.GetProperty("partition").GetInt32());
            int[] replicas = p.TryGetProperty("replicas", out JsonElement r) ? [.. r.EnumerateArray().Select(e => e.GetInt32())] : [];
            if (!result.TryAdd(partition, replicas))
            {
                throw new UsageException($"partition {Name(partition)} appears twice in {file}");
            }
        }
        return result;
    }

    private static async Task<Dictionary<TopicPartition, IReadOnlyList<int>>> CurrentAsync(AdminClient admin, IEnumerable<string> topics)
    {
        var described = await admin.DescribeTopicsAsync([.. topics]).ConfigureAwait(false);
        return described.SelectMany(t => t.Partitions.Select(p => (new TopicPartition(t.Name, p.Partition), p.Replicas)))
            .ToDictionary(x => x.Item1, x => x.Replicas);
    }

    /// <summary>Kafka's reassignment JSON: {"version":1,"partitions":[{"topic":..,"partition":..,"replicas":[..],"log_dirs":["any",..]}]}.</summary>
    private static string ToJson(IEnumerable<KeyValuePair<TopicPartition, IReadOnlyList<int>>> assignment)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteStartArray("partitions");
            foreach (var (p, replicas) in assignment.OrderBy(kv => kv.Key.Topic, StringComparer.Ordinal).ThenBy(kv => kv.Key.Partition))
            {
                w.WriteStartObject();
                w.WriteString("topic", p.Topic);
                w.WriteNumber("partition", p.Partition);
                w.WriteStartArray("replicas");
                foreach (int r in replicas)
                {
                    w.WriteNumberValue(r);
                }
                w.WriteEndArray();
                w.WriteStartArray("log_dirs");
                foreach (int _ in replicas)
                {
                    w.WriteStringValue("any");
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Name(TopicPartition p) => $"{p.Topic}-{p.Partition}";
}
