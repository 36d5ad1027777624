using System.Globalization;
using Rill.Client;

namespace Rill.Server.Cli;

/// <summary>
/// The client-quota half of `rill configs` (kafka-configs.sh --entity-type users|clients|ips, or
/// --user/--client/--ip): describe with DescribeClientQuotas, alter with AlterClientQuotas.
/// </summary>
internal static class QuotaConfigsCommand
{
    public static bool IsQuotaEntity(CliArgs a) =>
        a.Get("--entity-type") is "users" or "clients" or "ips"
        || a.Has("--user") || a.Has("--client") || a.Has("--ip") || a.Has("--user-defaults") || a.Has("--client-defaults") || a.Has("--ip-defaults");

    public static async Task<int> RunAsync(CliArgs a, string action, Console3 io)
    {
        // Each part: (type, name, default?) — a null name without default means "any" (describe only).
        var parts = new List<(string Type, string? Name, bool Default)>();
        void Add(string type, string option, string defaults)
        {
            if (a.Get(option) is { } name)
            {
                parts.Add((type, name, false));
            }
            else if (a.Has(defaults))
            {
                parts.Add((type, null, true));
            }
        }
        Add("user", "--user", "--user-defaults");
        Add("client-id", "--client", "--client-defaults");
        Add("ip", "--ip", "--ip-defaults");
        if (a.Get("--entity-type") is { } entityType)
        {
            string type = entityType switch { "users" => "user", "clients" => "client-id", _ => "ip" };
            if (parts.Any(p => p.Type == type))
            {
                throw new UsageException($"--entity-type {entityType} repeats an entity given with --user/--client/--ip.");
            }
            parts.Add((type, a.Get("--entity-name"), a.Has("--entity-default")));
        }
        await using var admin = new AdminClient(new AdminClientConfig { BootstrapServers = CliRunner.Bootstrap(a), ClientId = "rill-configs" });
        if (action == "--describe")
        {
            var filter = parts.Select(p => new ClientQuotaFilterComponent(p.Type,
                p.Default ? ClientQuotaMatch.Default : p.Name is null ? ClientQuotaMatch.Specified : ClientQuotaMatch.Exact, p.Default ? null : p.Name)).ToList();
            var entries = await admin.DescribeClientQuotasAsync(filter, strict: true).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                string values = string.Join(",", entry.Values.OrderBy(v => v.Key, StringComparer.Ordinal)
                    .Select(v => v.Key + "=" + v.Value.ToString("0.0##############", CultureInfo.InvariantCulture)));
                io.Out.WriteLine($"Quota configs for {Label(entry.Entity)} are {values}");
            }
            return 0;
        }
        if (parts.Any(p => p.Name is null && !p.Default))
        {
            throw new UsageException("--alter needs a name (--entity-name, --user, --client, --ip) or a default (--entity-default, --user-defaults, ...).");
        }
        var entity = parts.Select(p => new QuotaEntityPart(p.Type, p.Name)).ToList();
        var ops = new List<ClientQuotaOp>();
        foreach (string pair in a.GetAll("--add-config").SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)))
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0 || !double.TryParse(pair[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                throw new UsageException($"--add-config expects key=number[,key2=number], got '{pair}'.");
            }
            ops.Add(new ClientQuotaOp(pair[..eq].Trim(), value));
        }
        foreach (string key in a.GetAll("--delete-config").SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)))
        {
            ops.Add(new ClientQuotaOp(key.Trim(), null));
        }
        if (ops.Count == 0)
        {
            throw new UsageException("--alter needs --add-config or --delete-config.");
        }
        await admin.AlterClientQuotasAsync(entity, ops).ConfigureAwait(false);
        io.Out.WriteLine($"Completed updating config for {Label(entity)}.");
        return 0;
    }

    private static string Label(IReadOnlyList<QuotaEntityPart> entity) => string.Join(", ", entity.Select(p =>
    {
        string type = p.Type switch { "user" => "user-principal", _ => p.Type };
        return p.Name is null ? $"the default {type}" : $"{type} '{p.Name}'";
    }));
}
