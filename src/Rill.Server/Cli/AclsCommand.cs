using Rill.Broker.Security.Authorization;
using Rill.Client;

namespace Rill.Server.Cli;

/// <summary>`rill acls`: kafka-acls.sh — add, remove and list ACLs.</summary>
internal static class AclsCommand
{
    public const string Help = """
        Usage: rill acls --bootstrap-server HOST:PORT ACTION [RESOURCES] [PRINCIPALS] [OPERATIONS]

        Actions (one):
          --add                            add ACLs for every resource x principal x operation given
          --remove                         remove them (without principals / operations: every ACL of the resources)
          --list                           list ACLs (of the resources given, else all; --principal filters)

        Resources (repeatable; none with --list means all):
          --topic NAME  --group NAME  --transactional-id NAME  --delegation-token NAME  --cluster
          --resource-pattern-type literal|prefixed|match|any
                                           literal (default) and prefixed add/remove; match and any filter --list/--remove

        Principals and hosts:
          --allow-principal User:NAME      repeatable     --deny-principal User:NAME   repeatable
          --allow-host HOST  --deny-host HOST              default * (any host)
          --principal User:NAME            with --list: only this principal's ACLs

        Operations:
          --operation OP                   repeatable: All, Read, Write, Create, Delete, Alter, Describe, ClusterAction,
                                           DescribeConfigs, AlterConfigs, IdempotentWrite, CreateTokens, DescribeTokens
          --producer                       WRITE, DESCRIBE, CREATE on the topics (and IDEMPOTENT_WRITE on the cluster)
          --consumer                       READ, DESCRIBE on the topics and READ on the groups

        Options:
          --bootstrap-server HOST:PORT     the broker to connect to (required)
          --force                          accepted for kafka-acls compatibility (rill acls never prompts)
          -h, --help                       this help
        """;

    public static Task<int> RunAsync(string[] args, Console3 io) => CliRunner.RunAsync("acls", Help, args, io, async () =>
    {
        var a = CliArgs.Parse(args,
            ["--bootstrap-server", "--topic", "--group", "--transactional-id", "--delegation-token", "--resource-pattern-type",
             "--allow-principal", "--deny-principal", "--allow-host", "--deny-host", "--principal", "--operation"],
            ["--add", "--remove", "--list", "--cluster", "--producer", "--consumer", "--force"]);
        string action = a.Action("--add", "--remove", "--list");
        AclPatternType patternType = AclNames.ParsePatternType(a.Get("--resource-pattern-type") ?? (action == "--list" ? "any" : "literal"));
        if (patternType == AclPatternType.Unknown)
        {
            throw new UsageException("--resource-pattern-type must be literal, prefixed, match or any.");
        }
        if (action == "--add" && patternType is not (AclPatternType.Literal or AclPatternType.Prefixed))
        {
            throw new UsageException("--add needs --resource-pattern-type literal or prefixed.");
        }
        var resources = Resources(a);
        await using var admin = new AdminClient(CliRunner.Configure(a, new AdminClientConfig { BootstrapServers = CliRunner.Bootstrap(a), ClientId = "rill-acls" }));
        if (action == "--list")
        {
            AclBindingData filter = Filter(AclResourceType.Any, null, AclPatternType.Any) with { Principal = a.Get("--principal") };
            var found = new List<AclBindingData>();
            foreach (var (type, name) in resources.Count == 0 ? [(AclResourceType.Any, (string?)null)] : resources.Select(r => (r.Type, (string?)r.Name)))
            {
                found.AddRange(await admin.DescribeAclsAsync(filter with { ResourceType = (sbyte)type, ResourceName = name, PatternType = (sbyte)patternType })
                    .ConfigureAwait(false));
            }
            Print(io, "Current ACLs for resource", found.Distinct());
            return 0;
        }
        if (resources.Count == 0)
        {
            throw new UsageException($"{action} needs at least one of --topic, --group, --transactional-id, --delegation-token, --cluster.");
        }
        var entries = Entries(a, resources);
        if (action == "--add")
        {
            if (entries.Count == 0)
            {
                throw new UsageException("--add needs --allow-principal or --deny-principal and --operation (or --producer / --consumer).");
            }
            var bindings = entries.Select(e => Binding(e.Type, e.Name, patternType, e.Principal, e.Host, e.Operation, e.Permission)).ToList();
            Print(io, "Adding ACLs for resource", bindings);
            await admin.CreateAclsAsync(bindings).ConfigureAwait(false);
            return 0;
        }
        var filters = entries.Count > 0
            ? entries.Select(e => Binding(e.Type, e.Name, patternType, e.Principal, e.Host, e.Operation, e.Permission)).ToList()
            : resources.Select(r => Filter(r.Type, r.Name, patternType)).ToList();
        var removed = await admin.DeleteAclsAsync(filters).ConfigureAwait(false);
        Print(io, "Removed ACLs for resource", removed);
        return 0;
    });

    private static List<(AclResourceType Type, string Name)> Resources(CliArgs a)
    {
        var resources = new List<(AclResourceType, string)>();
        resources.AddRange(a.GetAll("--topic").Select(n => (AclResourceType.Topic, n)));
        resources.AddRange(a.GetAll("--group").Select(n => (AclResourceType.Group, n)));
        resources.AddRange(a.GetAll("--transactional-id").Select(n => (AclResourceType.TransactionalId, n)));
        resources.AddRange(a.GetAll("--delegation-token").Select(n => (AclResourceType.DelegationToken, n)));
        if (a.Has("--cluster"))
        {
            resources.Add((AclResourceType.Cluster, AclNames.ClusterName));
        }
        return resources;
    }

    private static List<(AclResourceType Type, string Name, string Principal, string Host, AclOperation Operation, AclPermissionType Permission)> Entries(
        CliArgs a, List<(AclResourceType Type, string Name)> resources)
    {
        var operations = a.GetAll("--operation").Select(o => AclNames.ParseOperation(o) is var op && op is not (AclOperation.Unknown or AclOperation.Any)
            ? op : throw new UsageException($"unknown --operation '{o}'.")).ToList();
        var principals = a.GetAll("--allow-principal").Select(p => (p, AclPermissionType.Allow, a.Get("--allow-host") ?? AclNames.Wildcard))
            .Concat(a.GetAll("--deny-principal").Select(p => (p, AclPermissionType.Deny, a.Get("--deny-host") ?? AclNames.Wildcard))).ToList();
        var result = new List<(AclResourceType, string, string, string, AclOperation, AclPermissionType)>();
        foreach (var (type, name) in resources)
        {
            var ops = new List<AclOperation>(operations);
            if (a.Has("--producer") && type == AclResourceType.Topic)
            {
                ops.AddRange([AclOperation.Write, AclOperation.Describe, AclOperation.Create]);
            }
            if (a.Has("--consumer") && type == AclResourceType.Topic)
            {
                ops.AddRange([AclOperation.Read, AclOperation.Describe]);
            }
            if (a.Has("--consumer") && type == AclResourceType.Group)
            {
                ops.Add(AclOperation.Read);
            }
            foreach (var (principal, permission, host) in principals)
            {
                result.AddRange(ops.Distinct().Select(op => (type, name, principal, host, op, permission)));
            }
        }
        if (a.Has("--producer") && !a.Has("--cluster") && resources.Any(r => r.Type == AclResourceType.Topic))
        {
            foreach (var (principal, permission, host) in principals)
            {
                result.Add((AclResourceType.Cluster, AclNames.ClusterName, principal, host, AclOperation.IdempotentWrite, permission));
            }
        }
        return result;
    }

    private static AclBindingData Binding(AclResourceType type, string name, AclPatternType pattern, string principal, string host,
        AclOperation operation, AclPermissionType permission)
        => new((sbyte)type, name, (sbyte)(type == AclResourceType.Cluster ? AclPatternType.Literal : pattern), principal, host, (sbyte)operation, (sbyte)permission);

    private static AclBindingData Filter(AclResourceType type, string? name, AclPatternType pattern)
        => new((sbyte)type, name, (sbyte)pattern, null, null, (sbyte)AclOperation.Any, (sbyte)AclPermissionType.Any);

    /// <summary>kafka-acls' layout: a header per resource pattern, then one indented line per entry.</summary>
    private static void Print(Console3 io, string header, IEnumerable<AclBindingData> bindings)
    {
        foreach (var group in bindings.GroupBy(b => (b.ResourceType, b.ResourceName, b.PatternType))
            .OrderBy(g => g.Key.ResourceType).ThenBy(g => g.Key.ResourceName, StringComparer.Ordinal).ThenBy(g => g.Key.PatternType))
        {
            var pattern = new ResourcePattern((AclResourceType)group.Key.ResourceType, group.Key.ResourceName ?? "", (AclPatternType)group.Key.PatternType);
            io.Out.WriteLine($"{header} `{pattern}`: ");
            foreach (AclBindingData b in group)
            {
                io.Out.WriteLine($" \t{new AccessControlEntry(b.Principal ?? "", b.Host ?? "", (AclOperation)b.Operation, (AclPermissionType)b.Permission)} ");
            }
            io.Out.WriteLine();
        }
    }
}
