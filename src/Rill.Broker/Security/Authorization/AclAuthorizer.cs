using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Broker.Config;

namespace Rill.Broker.Security.Authorization;

/// <summary>
/// Kafka's ACL authorizer (StandardAuthorizer semantics). A request by <c>principal</c> from <c>host</c>
/// to do <c>operation</c> on a resource is allowed when the principal is a super user; otherwise the
/// ACLs whose pattern covers the resource (its literal name, the '*' literal, any prefix) decide: a
/// matching DENY (same operation or ALL) refuses, else a matching ALLOW (same operation, ALL, or one
/// implying it: READ/WRITE/DELETE/ALTER imply DESCRIBE, ALTER_CONFIGS implies DESCRIBE_CONFIGS) allows,
/// else it is refused. A resource no ACL covers at all is allowed only with
/// <c>allow.everyone.if.no.acl.found=true</c>. Lookups read an immutable snapshot (no lock); changes
/// are serialised, persisted through <see cref="IAclStore"/>, then published as a new snapshot.
/// </summary>
public sealed class AclAuthorizer
{
    public const string StandardAuthorizerClass = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    public const string LegacyAuthorizerClass = "kafka.security.authorizer.AclAuthorizer";

    private readonly IAclStore _store;
    private readonly ILogger _log;
    private readonly HashSet<string> _superUsers;
    private readonly Lock _writeLock = new();
    private volatile AclSnapshot _snapshot = AclSnapshot.Empty;

    public AclAuthorizer(bool enabled, IEnumerable<string> superUsers, bool allowEveryoneIfNoAclFound, IAclStore store, ILogger? log = null)
    {
        _log = log ?? NullLogger.Instance;
        Enabled = enabled;
        _superUsers = new HashSet<string>(superUsers, StringComparer.Ordinal);
        AllowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound;
        _store = store;
    }

    /// <summary>Reads <c>authorizer.class.name</c>, <c>super.users</c> and <c>allow.everyone.if.no.acl.found</c>.</summary>
    public static AclAuthorizer FromConfig(BrokerConfig config, IAclStore store, ILogger? log = null)
    {
        string className = config.GetString("authorizer.class.name")?.Trim() ?? "";
        bool enabled = className switch
        {
            "" => false,
            StandardAuthorizerClass or LegacyAuthorizerClass => true,
            _ => throw new ConfigException("authorizer.class.name",
                $"Unsupported authorizer '{className}': Rill implements {StandardAuthorizerClass} (and accepts {LegacyAuthorizerClass})"),
        };
        string superUsers = config.GetString("super.users") ?? "";
        var users = superUsers.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string user in users)
        {
            if (user.IndexOf(':') <= 0)
            {
                throw new ConfigException("super.users", $"Invalid principal '{user}' in super.users: expected Type:name, e.g. User:admin");
            }
        }
        bool allowEveryone = string.Equals(config.GetString("allow.everyone.if.no.acl.found"), "true", StringComparison.OrdinalIgnoreCase);
        return new AclAuthorizer(enabled, users, allowEveryone, store, log);
    }

    /// <summary>False when no authorizer is configured: every request is allowed and the ACL APIs answer SECURITY_DISABLED.</summary>
    public bool Enabled { get; }

    public bool AllowEveryoneIfNoAclFound { get; }

    public IReadOnlyCollection<string> SuperUsers => _superUsers;

    /// <summary>Every ACL.</summary>
    public IReadOnlyList<AclBinding> Acls => _snapshot.All;

    /// <summary>Loads the stored ACLs (at start).</summary>
    public void Load()
    {
        lock (_writeLock)
        {
            _snapshot = new AclSnapshot(_store.Load());
        }
    }

    public bool IsSuperUser(string principal) => _superUsers.Contains(principal);

    /// <summary>May <paramref name="principal"/>, connected from <paramref name="client"/>, do <paramref name="operation"/> on the resource?</summary>
    public bool Authorize(string principal, EndPoint? client, AclOperation operation, AclResourceType type, string name)
    {
        if (!Enabled || _superUsers.Contains(principal))
        {
            return true;
        }
        AccessControlEntry[] entries = _snapshot.EntriesFor(type, name);
        if (entries.Length == 0)
        {
            return AllowEveryoneIfNoAclFound;
        }
        string? host = null;
        bool allowed = false;
        foreach (ref readonly AccessControlEntry entry in entries.AsSpan())
        {
            if (!PrincipalMatches(entry.Principal, principal) || !HostMatches(entry.Host, client, ref host))
            {
                continue;
            }
            if (entry.Permission == AclPermissionType.Deny)
            {
                if (entry.Operation == operation || entry.Operation == AclOperation.All)
                {
                    return false;
                }
            }
            else if (!allowed && Grants(entry.Operation, operation))
            {
                allowed = true;
            }
        }
        return allowed;
    }

    /// <summary>
    /// Kafka's authorizeByResourceType (KIP-679): is there any resource of <paramref name="type"/> the
    /// principal may do <paramref name="operation"/> on? An ALLOW counts unless a DENY covers its whole pattern.
    /// </summary>
    public bool AuthorizeAny(string principal, EndPoint? client, AclOperation operation, AclResourceType type)
    {
        if (!Enabled || _superUsers.Contains(principal))
        {
            return true;
        }
        AclSnapshot snapshot = _snapshot;
        if (!snapshot.HasAclsFor(type))
        {
            return AllowEveryoneIfNoAclFound;
        }
        string? host = null;
        var denies = new List<ResourcePattern>();
        var allows = new List<ResourcePattern>();
        foreach (AclBinding binding in snapshot.All)
        {
            AccessControlEntry e = binding.Entry;
            if (binding.Pattern.Type != type || !PrincipalMatches(e.Principal, principal) || !HostMatches(e.Host, client, ref host))
            {
                continue;
            }
            if (e.Permission == AclPermissionType.Deny && (e.Operation == operation || e.Operation == AclOperation.All))
            {
                denies.Add(binding.Pattern);
            }
            else if (e.Permission == AclPermissionType.Allow && Grants(e.Operation, operation))
            {
                allows.Add(binding.Pattern);
            }
        }
        if (denies.Exists(d => d.PatternType == AclPatternType.Literal && d.Name == AclNames.Wildcard))
        {
            return false;
        }
        return allows.Exists(a => !denies.Exists(d => d.PatternType == AclPatternType.Prefixed
            ? a.Name.StartsWith(d.Name, StringComparison.Ordinal)
            : a.PatternType == AclPatternType.Literal && a.Name == d.Name));
    }

    /// <summary>
    /// Logs a refused request at information level in the form of Kafka's kafka.authorizer.logger, so an operator can
    /// see who was refused what. Handlers skip it where a refusal only filters an answer (all-topics Metadata, ListGroups).
    /// </summary>
    public void LogDenied(string principal, EndPoint? client, AclOperation operation, AclResourceType type, string name, string api)
    {
        if (_log.IsEnabled(LogLevel.Information))
        {
            _log.LogInformation("Principal = {Principal} is Denied Operation = {Operation} from host = {Host} on resource = {ResourceType}:{Name} for request = {Api}",
                principal, AclNames.Of(operation), HostOf(client), AclNames.Of(type), name, api);
        }
    }

    /// <summary>Kafka's authorized-operations bit field: bit n set when operation code n is allowed on the resource.</summary>
    public int AuthorizedOperations(string principal, EndPoint? client, AclResourceType type, string name)
    {
        int bits = 0;
        foreach (AclOperation op in AclNames.SupportedOperations(type))
        {
            if (Authorize(principal, client, op, type, name))
            {
                bits |= 1 << (int)op;
            }
        }
        return bits;
    }

    /// <summary>Adds bindings; returns an error message per binding (null when it was added or already existed).</summary>
    public IReadOnlyList<string?> Create(IReadOnlyList<AclBinding> bindings)
    {
        var errors = new string?[bindings.Count];
        lock (_writeLock)
        {
            var all = new HashSet<AclBinding>(_snapshot.All);
            bool changed = false;
            for (int i = 0; i < bindings.Count; i++)
            {
                errors[i] = bindings[i].Validate();
                if (errors[i] is null)
                {
                    changed |= all.Add(bindings[i]);
                }
            }
            if (changed)
            {
                _store.Save(all);
                _snapshot = new AclSnapshot(all);
            }
        }
        return errors;
    }

    /// <summary>The bindings matching <paramref name="filter"/>.</summary>
    public IReadOnlyList<AclBinding> Describe(AclBindingFilter filter)
        => Array.FindAll(_snapshot.All, filter.Matches);

    /// <summary>Removes every binding matching any filter; returns, per filter, the bindings it matched.</summary>
    public IReadOnlyList<IReadOnlyList<AclBinding>> Delete(IReadOnlyList<AclBindingFilter> filters)
    {
        lock (_writeLock)
        {
            AclBinding[] current = _snapshot.All;
            var matched = new IReadOnlyList<AclBinding>[filters.Count];
            var removed = new HashSet<AclBinding>();
            for (int i = 0; i < filters.Count; i++)
            {
                AclBinding[] hits = Array.FindAll(current, filters[i].Matches);
                matched[i] = hits;
                removed.UnionWith(hits);
            }
            if (removed.Count > 0)
            {
                var remaining = current.Where(b => !removed.Contains(b)).ToList();
                _store.Save(remaining);
                _snapshot = new AclSnapshot(remaining);
            }
            return matched;
        }
    }

    private static bool PrincipalMatches(string aclPrincipal, string principal)
        => aclPrincipal == AclNames.WildcardPrincipal || string.Equals(aclPrincipal, principal, StringComparison.Ordinal);

    private static bool HostMatches(string aclHost, EndPoint? client, ref string? host)
    {
        if (aclHost == AclNames.Wildcard)
        {
            return true;
        }
        host ??= HostOf(client);
        return string.Equals(aclHost, host, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The client's address as ACL hosts name it (IPv4-mapped IPv6 addresses as IPv4).</summary>
    public static string HostOf(EndPoint? client) => client switch
    {
        IPEndPoint ip when ip.Address.IsIPv4MappedToIPv6 => ip.Address.MapToIPv4().ToString(),
        IPEndPoint ip => ip.Address.ToString(),
        null => "",
        _ => client.ToString() ?? "",
    };

    /// <summary>Does an ALLOW for <paramref name="aclOperation"/> grant <paramref name="requested"/>?</summary>
    private static bool Grants(AclOperation aclOperation, AclOperation requested)
        => aclOperation == requested || aclOperation == AclOperation.All || requested switch
        {
            AclOperation.Describe => aclOperation is AclOperation.Read or AclOperation.Write or AclOperation.Delete or AclOperation.Alter,
            AclOperation.DescribeConfigs => aclOperation == AclOperation.AlterConfigs,
            _ => false,
        };
}
