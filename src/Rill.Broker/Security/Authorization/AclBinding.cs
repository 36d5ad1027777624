namespace Rill.Broker.Security.Authorization;

/// <summary>A resource pattern: a type, a name and whether the name is literal (or '*') or a prefix.</summary>
public readonly record struct ResourcePattern(AclResourceType Type, string Name, AclPatternType PatternType)
{
    /// <summary>True when this (literal or prefixed) pattern covers the resource <paramref name="name"/>.</summary>
    public bool Covers(string name) => PatternType switch
    {
        AclPatternType.Literal => Name == AclNames.Wildcard || string.Equals(Name, name, StringComparison.Ordinal),
        AclPatternType.Prefixed => name.StartsWith(Name, StringComparison.Ordinal),
        _ => false,
    };

    public override string ToString() => $"ResourcePattern(resourceType={AclNames.Of(Type)}, name={Name}, patternType={AclNames.Of(PatternType)})";
}

/// <summary>Who may (or may not) do what from where.</summary>
public readonly record struct AccessControlEntry(string Principal, string Host, AclOperation Operation, AclPermissionType Permission)
{
    public override string ToString() =>
        $"(principal={Principal}, host={Host}, operation={AclNames.Of(Operation)}, permissionType={AclNames.Of(Permission)})";
}

/// <summary>One ACL: a pattern and an entry.</summary>
public readonly record struct AclBinding(ResourcePattern Pattern, AccessControlEntry Entry)
{
    /// <summary>Why this binding cannot be stored (Kafka's InvalidRequestException messages), or null when it is valid.</summary>
    public string? Validate()
    {
        if (Pattern.Type is AclResourceType.Unknown or AclResourceType.Any || !Enum.IsDefined(Pattern.Type))
        {
            return "Invalid resource type " + AclNames.Of(Pattern.Type);
        }
        if (Pattern.PatternType is not (AclPatternType.Literal or AclPatternType.Prefixed))
        {
            return "Invalid pattern type " + AclNames.Of(Pattern.PatternType) + ": an ACL's pattern type is LITERAL or PREFIXED";
        }
        if (string.IsNullOrEmpty(Pattern.Name))
        {
            return "Resource name must not be empty";
        }
        if (Pattern.Type == AclResourceType.Cluster && Pattern.Name != AclNames.ClusterName)
        {
            return "The only valid name for the CLUSTER resource is " + AclNames.ClusterName;
        }
        if (Entry.Operation is AclOperation.Unknown or AclOperation.Any || !Enum.IsDefined(Entry.Operation))
        {
            return "Invalid operation " + AclNames.Of(Entry.Operation);
        }
        if (Entry.Permission is not (AclPermissionType.Allow or AclPermissionType.Deny))
        {
            return "Invalid permission type " + AclNames.Of(Entry.Permission);
        }
        int colon = Entry.Principal?.IndexOf(':') ?? -1;
        if (colon <= 0 || colon == Entry.Principal!.Length - 1)
        {
            return $"Invalid principal '{Entry.Principal}': expected Type:name, e.g. User:alice";
        }
        if (string.IsNullOrEmpty(Entry.Host))
        {
            return "Host must not be empty (use * for any host)";
        }
        return null;
    }

    public override string ToString() => $"(pattern={Pattern}, entry={Entry})";
}

/// <summary>
/// A filter over bindings, as DescribeAcls and DeleteAcls send it: ANY / null match everything; the
/// MATCH pattern type matches every pattern that covers the named resource (literal, '*' and prefixes).
/// </summary>
public readonly record struct AclBindingFilter(
    AclResourceType ResourceType, string? ResourceName, AclPatternType PatternType,
    string? Principal, string? Host, AclOperation Operation, AclPermissionType Permission)
{
    public static AclBindingFilter Any { get; } = new(AclResourceType.Any, null, AclPatternType.Any, null, null, AclOperation.Any, AclPermissionType.Any);

    /// <summary>Why the filter is invalid (Kafka answers INVALID_REQUEST), or null.</summary>
    public string? Validate()
    {
        if (ResourceType == AclResourceType.Unknown || !Enum.IsDefined(ResourceType))
        {
            return "Invalid resource type filter";
        }
        if (PatternType == AclPatternType.Unknown || !Enum.IsDefined(PatternType))
        {
            return "Invalid pattern type filter";
        }
        if (Operation == AclOperation.Unknown || !Enum.IsDefined(Operation))
        {
            return "Invalid operation filter";
        }
        if (Permission == AclPermissionType.Unknown || !Enum.IsDefined(Permission))
        {
            return "Invalid permission type filter";
        }
        return null;
    }

    public bool Matches(AclBinding binding)
    {
        ResourcePattern p = binding.Pattern;
        AccessControlEntry e = binding.Entry;
        if (ResourceType != AclResourceType.Any && ResourceType != p.Type)
        {
            return false;
        }
        bool patternMatches = PatternType switch
        {
            AclPatternType.Any => ResourceName is null || ResourceName == p.Name,
            AclPatternType.Match => ResourceName is null || p.Covers(ResourceName),
            _ => PatternType == p.PatternType && (ResourceName is null || ResourceName == p.Name),
        };
        return patternMatches
            && (Principal is null || Principal == e.Principal)
            && (Host is null || Host == e.Host)
            && (Operation == AclOperation.Any || Operation == e.Operation)
            && (Permission == AclPermissionType.Any || Permission == e.Permission);
    }
}
