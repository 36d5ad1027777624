using Rill.Client;

namespace Rill.Server.Cli;

/// <summary>`rill groups`: kafka-consumer-groups.sh — list, describe with lag, reset offsets, delete.</summary>
internal static class GroupsCommand
{
    public const string Help = """
        Usage: rill groups --bootstrap-server HOST:PORT ACTION [options]

        Actions (one):
          --list            list group ids
          --describe        committed offsets, log end offsets and lag of --group
          --reset-offsets   move --group's committed offsets (the group must have no active members)
          --delete          delete --group

        Options:
          --bootstrap-server HOST:PORT   the broker to connect to (required)
          --group ID                     the group
          --topic NAME                   the topic to reset (or --all-topics)
          --all-topics                   reset every topic the group has offsets for
          --to-earliest | --to-latest | --to-offset N | --to-datetime YYYY-MM-DDTHH:mm:SS.sss
          --dry-run                      show the new offsets (the default)
          --execute                      commit the new offsets
          -h, --help                     this help
        """;

    public static Task<int> RunAsync(string[] args, Console3 io) => CliRunner.RunAsync("groups", Help, args, io, async () =>
    {
        var a = CliArgs.Parse(args, ["--bootstrap-server", "--group", "--topic", "--to-offset", "--to-datetime"],
            ["--list", "--describe", "--reset-offsets", "--delete", "--all-topics", "--to-earliest", "--to-latest", "--dry-run", "--execute", "--members", "--offsets"]);
        string action = a.Action("--list", "--describe", "--reset-offsets", "--delete");
        await using var admin = new AdminClient(CliRunner.Configure(a, new AdminClientConfig { BootstrapServers = CliRunner.Bootstrap(a), ClientId = "rill-groups" }));
        switch (action)
        {
            case "--list":
                foreach (var g in await admin.ListGroupsAsync().ConfigureAwait(false))
                {
                    io.Out.WriteLine(g.GroupId);
                }
                return 0;
            case "--describe":
                await DescribeAsync(admin, a.Require("--group"), io).ConfigureAwait(false);
                return 0;
            case "--delete":
                await admin.DeleteGroupsAsync([a.Require("--group")]).ConfigureAwait(false);
                io.Out.WriteLine($"Deletion of requested consumer groups ('{a.Get("--group")}') was successful.");
                return 0;
            default:
                return await ResetAsync(admin, a, io).ConfigureAwait(false);
        }
    });

    private static async Task DescribeAsync(AdminClient admin, string group, Console3 io)
    {
        var description = await admin.DescribeGroupAsync(group).ConfigureAwait(false);
        var committed = await admin.ListGroupOffsetsAsync(group).ConfigureAwait(false);
        var owners = description.Members.SelectMany(m => m.Assignment.Select(p => (p, m))).ToDictionary(x => x.p, x => x.m);
        var partitions = committed.Keys.Union(owners.Keys).OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();
        if (partitions.Count == 0 && description.State is "Dead" or "Empty" && description.Members.Count == 0)
        {
            io.Out.WriteLine($"Consumer group '{group}' has no active members and no committed offsets.");
            return;
        }
        if (description.State is "Empty" or "Dead")
        {
            io.Out.WriteLine($"Consumer group '{group}' has no active members.");
        }
        io.Out.WriteLine();
        var ends = partitions.Count == 0 ? new() : await admin.ListOffsetsAsync(partitions.Select(p => (p, Offsets.Latest))).ConfigureAwait(false);
        var rows = partitions.Select(p =>
        {
            long current = committed.TryGetValue(p, out long c) ? c : -1;
            long end = ends[p];
            owners.TryGetValue(p, out var member);
            return (IReadOnlyList<string>)[group, p.Topic, p.Partition.ToString(), current >= 0 ? current.ToString() : "-", end.ToString(),
                current >= 0 ? Math.Max(0, end - current).ToString() : "-", member?.MemberId ?? "-", member?.Host ?? "-", member?.ClientId ?? "-"];
        });
        TableWriter.Write(io.Out, ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"], rows);
    }

    private static async Task<int> ResetAsync(AdminClient admin, CliArgs a, Console3 io)
    {
        string group = a.Require("--group");
        string how = a.Action("--to-earliest", "--to-latest", "--to-offset", "--to-datetime");
        if (a.Has("--dry-run") && a.Has("--execute"))
        {
            throw new UsageException("--dry-run and --execute exclude each other.");
        }
        var committed = await admin.ListGroupOffsetsAsync(group).ConfigureAwait(false);
        List<TopicPartition> partitions;
        if (a.Has("--all-topics"))
        {
            partitions = committed.Keys.ToList();
        }
        else
        {
            string topic = a.Require("--topic", "(or --all-topics)");
            var described = await admin.DescribeTopicsAsync([topic]).ConfigureAwait(false);
            partitions = described[0].Partitions.Select(p => new TopicPartition(topic, p.Partition)).ToList();
        }
        partitions = partitions.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();
        Dictionary<TopicPartition, long> targets;
        switch (how)
        {
            case "--to-offset":
                long offset = a.GetLong("--to-offset", 0);
                var low = await admin.ListOffsetsAsync(partitions.Select(p => (p, Offsets.Earliest))).ConfigureAwait(false);
                var high = await admin.ListOffsetsAsync(partitions.Select(p => (p, Offsets.Latest))).ConfigureAwait(false);
                targets = partitions.ToDictionary(p => p, p => Math.Clamp(offset, low[p], high[p]));
                break;
            case "--to-datetime":
                if (!DateTimeOffset.TryParse(a.Require("--to-datetime"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var when))
                {
                    throw new UsageException($"--to-datetime expects YYYY-MM-DDTHH:mm:SS.sss, got '{a.Get("--to-datetime")}'.");
                }
                targets = await admin.ListOffsetsAsync(partitions.Select(p => (p, when.ToUnixTimeMilliseconds()))).ConfigureAwait(false);
                var latest = await admin.ListOffsetsAsync(partitions.Where(p => targets[p] < 0).Select(p => (p, Offsets.Latest))).ConfigureAwait(false);
                foreach (var (p, end) in latest)
                {
                    targets[p] = end;
                }
                break;
            default:
                targets = await admin.ListOffsetsAsync(partitions.Select(p => (p, how == "--to-earliest" ? Offsets.Earliest : Offsets.Latest))).ConfigureAwait(false);
                break;
        }
        if (a.Has("--execute"))
        {
            var state = (await admin.DescribeGroupAsync(group).ConfigureAwait(false)).State;
            if (state is not ("Empty" or "Dead"))
            {
                io.Err.WriteLine($"rill groups: assignments can only be reset if the group '{group}' is inactive, but the current state is {state}.");
                return 1;
            }
            await admin.AlterGroupOffsetsAsync(group, partitions.Select(p => new TopicPartitionOffset(p.Topic, p.Partition, targets[p]))).ConfigureAwait(false);
        }
        io.Out.WriteLine();
        TableWriter.Write(io.Out, ["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"], partitions.Select(p => (IReadOnlyList<string>)[group, p.Topic, p.Partition.ToString(), targets[p].ToString()]));
        return 0;
    }
}
