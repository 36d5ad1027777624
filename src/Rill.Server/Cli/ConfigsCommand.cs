using Rill.Client;

namespace Rill.Server.Cli;

/// <summary>`rill configs`: kafka-configs.sh for topics and brokers — describe, alter (add / delete).</summary>
internal static class ConfigsCommand
{
    public const string Help = """
        Usage: rill configs --bootstrap-server HOST:PORT --entity-type topics|brokers (--entity-name NAME | --entity-default) ACTION
               rill configs --bootstrap-server HOST:PORT QUOTA-ENTITY ACTION     (client quotas, as kafka-configs)

        Quota entities (KIP-546): --entity-type users|clients|ips with --entity-name NAME or --entity-default, or
          --user NAME | --user-defaults, --client NAME | --client-defaults (both for a (user, client-id) pair),
          --ip ADDRESS | --ip-defaults. --describe without a name lists every entity of the type.
          Keys: producer_byte_rate, consumer_byte_rate, request_percentage, controller_mutation_rate (users, clients),
          connection_creation_rate (ips).

        Actions (one):
          --describe                     the entity's overridden configs (--all: every config)
          --alter                        with --add-config k=v[,k2=v2] and/or --delete-config k[,k2]

        Options:
          --bootstrap-server HOST:PORT   the broker to connect to (required)
          --entity-type topics|brokers
          --entity-name NAME             topic name or broker id
          --entity-default               the cluster-wide broker default (brokers only)
          --all                          with --describe: every config, defaults included
          -h, --help                     this help
        """;

    public static Task<int> RunAsync(string[] args, Console3 io) => CliRunner.RunAsync("configs", Help, args, io, async () =>
    {
        var a = CliArgs.Parse(args, ["--bootstrap-server", "--entity-type", "--entity-name", "--add-config", "--delete-config", "--user", "--client", "--ip"],
            ["--describe", "--alter", "--all", "--entity-default", "--user-defaults", "--client-defaults", "--ip-defaults"]);
        string action = a.Action("--describe", "--alter");
        if (QuotaConfigsCommand.IsQuotaEntity(a))
        {
            return await QuotaConfigsCommand.RunAsync(a, action, io).ConfigureAwait(false);
        }
        string entityType = a.Require("--entity-type");
        ConfigResourceType type = entityType switch
        {
            "topics" => ConfigResourceType.Topic,
            "brokers" => ConfigResourceType.Broker,
            _ => throw new UsageException($"--entity-type must be topics, brokers, users, clients or ips, not '{entityType}'."),
        };
        string name = a.Has("--entity-default") && type == ConfigResourceType.Broker ? "" : a.Require("--entity-name");
        string label = type == ConfigResourceType.Topic ? $"topic {name}" : name.Length == 0 ? "default brokers" : $"broker {name}";
        await using var admin = new AdminClient(CliRunner.Configure(a, new AdminClientConfig { BootstrapServers = CliRunner.Bootstrap(a), ClientId = "rill-configs" }));
        if (action == "--describe")
        {
            var entries = await admin.DescribeConfigsAsync(type, name).ConfigureAwait(false);
            bool all = a.Has("--all");
            io.Out.WriteLine($"{(all ? "All" : "Dynamic")} configs for {label} are:");
            foreach (var e in entries.Where(e => all || e.Source.StartsWith("DYNAMIC", StringComparison.Ordinal)))
            {
                io.Out.WriteLine($"  {e.Name}={(e.IsSensitive ? null : e.Value)} sensitive={e.IsSensitive.ToString().ToLowerInvariant()} source={e.Source}");
            }
            return 0;
        }
        var changes = new List<(string, AlterConfigOp, string?)>();
        foreach (string pair in a.GetAll("--add-config").SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)))
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new UsageException($"--add-config expects k=v[,k2=v2], got '{pair}'.");
            }
            changes.Add((pair[..eq].Trim(), AlterConfigOp.Set, pair[(eq + 1)..]));
        }
        foreach (string key in a.GetAll("--delete-config").SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)))
        {
            changes.Add((key.Trim(), AlterConfigOp.Delete, null));
        }
        if (changes.Count == 0)
        {
            throw new UsageException("--alter needs --add-config or --delete-config.");
        }
        await admin.IncrementalAlterConfigsAsync(type, name, changes).ConfigureAwait(false);
        io.Out.WriteLine($"Completed updating config for {label}.");
        return 0;
    });
}
