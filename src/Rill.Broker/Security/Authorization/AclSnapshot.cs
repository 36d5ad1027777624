using System.Collections.Concurrent;

namespace Rill.Broker.Security.Authorization;

/// <summary>
/// An immutable index of every ACL, replaced as a whole when ACLs change: literal patterns by (type,
/// name), prefixed patterns per type, and a cache of the entries that apply to each resource looked
/// up, so a produce or fetch on a known topic costs one dictionary lookup and a short scan.
/// </summary>
internal sealed class AclSnapshot
{
    /// <summary>Resources remembered per snapshot; beyond this, lookups are computed each time instead of cached.</summary>
    private const int MaxCachedResources = 100_000;

    private readonly Dictionary<(AclResourceType, string), AccessControlEntry[]> _literal;
    private readonly Dictionary<AclResourceType, (string Prefix, AccessControlEntry[] Entries)[]> _prefixed;
    private readonly ConcurrentDictionary<(AclResourceType, string), AccessControlEntry[]> _cache = new();
    private readonly HashSet<AclResourceType> _typesWithAcls;

    public AclSnapshot(IEnumerable<AclBinding> bindings)
    {
        All = [.. bindings.Distinct()];
        _literal = All.Where(b => b.Pattern.PatternType == AclPatternType.Literal)
            .GroupBy(b => (b.Pattern.Type, b.Pattern.Name))
            .ToDictionary(g => g.Key, g => g.Select(b => b.Entry).ToArray());
        _prefixed = All.Where(b => b.Pattern.PatternType == AclPatternType.Prefixed)
            .GroupBy(b => b.Pattern.Type)
            .ToDictionary(g => g.Key, g => g.GroupBy(b => b.Pattern.Name, StringComparer.Ordinal)
                .Select(p => (p.Key, p.Select(b => b.Entry).ToArray())).ToArray());
        _typesWithAcls = [.. All.Select(b => b.Pattern.Type)];
    }

    public static AclSnapshot Empty { get; } = new([]);

    public AclBinding[] All { get; }

    public bool HasAclsFor(AclResourceType type) => _typesWithAcls.Contains(type);

    /// <summary>Every entry whose pattern covers the resource: its literal name, the '*' literal, and every prefix of the name.</summary>
    public AccessControlEntry[] EntriesFor(AclResourceType type, string name)
    {
        if (_cache.TryGetValue((type, name), out AccessControlEntry[]? cached))
        {
            return cached;
        }
        var entries = new List<AccessControlEntry>();
        if (_literal.TryGetValue((type, name), out AccessControlEntry[]? exact))
        {
            entries.AddRange(exact);
        }
        if (name != AclNames.Wildcard && _literal.TryGetValue((type, AclNames.Wildcard), out AccessControlEntry[]? wildcard))
        {
            entries.AddRange(wildcard);
        }
        if (_prefixed.TryGetValue(type, out var prefixes))
        {
            foreach ((string prefix, AccessControlEntry[] prefixEntries) in prefixes)
            {
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    entries.AddRange(prefixEntries);
                }
            }
        }
        AccessControlEntry[] result = entries.Count == 0 ? [] : [.. entries];
        if (_cache.Count < MaxCachedResources)
        {
            _cache.TryAdd((type, name), result);
        }
        return result;
    }
}
