namespace Rill.Broker.Security.Authorization;

// Kafka's wire codes (org.apache.kafka.common.resource / acl). Persisted and sent on the wire:
// the values are fixed, never renumbered.

/// <summary>Kafka's ResourceType codes.</summary>
public enum AclResourceType : sbyte
{
    Unknown = 0,
    Any = 1,
    Topic = 2,
    Group = 3,
    Cluster = 4,
    TransactionalId = 5,
    DelegationToken = 6,
    User = 7,
}

/// <summary>Kafka's PatternType codes. MATCH and ANY exist only in filters.</summary>
public enum AclPatternType : sbyte
{
    Unknown = 0,
    Any = 1,
    Match = 2,
    Literal = 3,
    Prefixed = 4,
}

/// <summary>Kafka's AclOperation codes; also the bit positions of the authorized-operations fields.</summary>
public enum AclOperation : sbyte
{
    Unknown = 0,
    Any = 1,
    All = 2,
    Read = 3,
    Write = 4,
    Create = 5,
    Delete = 6,
    Alter = 7,
    Describe = 8,
    ClusterAction = 9,
    DescribeConfigs = 10,
    AlterConfigs = 11,
    IdempotentWrite = 12,
    CreateTokens = 13,
    DescribeTokens = 14,
}

/// <summary>Kafka's AclPermissionType codes.</summary>
public enum AclPermissionType : sbyte
{
    Unknown = 0,
    Any = 1,
    Deny = 2,
    Allow = 3,
}

/// <summary>Names as kafka-acls prints and parses them.</summary>
public static class AclNames
{
    /// <summary>The only name a CLUSTER resource has.</summary>
    public const string ClusterName = "kafka-cluster";

    /// <summary>The literal resource name and principal/host that match everything.</summary>
    public const string Wildcard = "*";

    public const string WildcardPrincipal = "User:*";

    public static string Of(AclResourceType type) => type switch
    {
        AclResourceType.Topic => "TOPIC",
        AclResourceType.Group => "GROUP",
        AclResourceType.Cluster => "CLUSTER",
        AclResourceType.TransactionalId => "TRANSACTIONAL_ID",
        AclResourceType.DelegationToken => "DELEGATION_TOKEN",
        AclResourceType.User => "USER",
        AclResourceType.Any => "ANY",
        _ => "UNKNOWN",
    };

    public static string Of(AclPatternType type) => type switch
    {
        AclPatternType.Any => "ANY",
        AclPatternType.Match => "MATCH",
        AclPatternType.Literal => "LITERAL",
        AclPatternType.Prefixed => "PREFIXED",
        _ => "UNKNOWN",
    };

    public static string Of(AclOperation operation) => operation switch
    {
        AclOperation.Any => "ANY",
        AclOperation.All => "ALL",
        AclOperation.Read => "READ",
        AclOperation.Write => "WRITE",
        AclOperation.Create => "CREATE",
        AclOperation.Delete => "DELETE",
        AclOperation.Alter => "ALTER",
        AclOperation.Describe => "DESCRIBE",
        AclOperation.ClusterAction => "CLUSTER_ACTION",
        AclOperation.DescribeConfigs => "DESCRIBE_CONFIGS",
        AclOperation.AlterConfigs => "ALTER_CONFIGS",
        AclOperation.IdempotentWrite => "IDEMPOTENT_WRITE",
        AclOperation.CreateTokens => "CREATE_TOKENS",
        AclOperation.DescribeTokens => "DESCRIBE_TOKENS",
        _ => "UNKNOWN",
    };

    public static string Of(AclPermissionType type) => type switch
    {
        AclPermissionType.Any => "ANY",
        AclPermissionType.Deny => "DENY",
        AclPermissionType.Allow => "ALLOW",
        _ => "UNKNOWN",
    };

    /// <summary>Parses an operation as kafka-acls accepts it (Read, READ, IdempotentWrite, IDEMPOTENT_WRITE, ...); Unknown if none.</summary>
    public static AclOperation ParseOperation(string text)
    {
        string normalized = text.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return Enum.TryParse(normalized, ignoreCase: true, out AclOperation op) && op is not AclOperation.Unknown ? op : AclOperation.Unknown;
    }

    public static AclPatternType ParsePatternType(string text)
        => Enum.TryParse(text, ignoreCase: true, out AclPatternType type) ? type : AclPatternType.Unknown;

    /// <summary>The operations Kafka defines for a resource type (what the authorized-operations fields report on).</summary>
    public static ReadOnlySpan<AclOperation> SupportedOperations(AclResourceType type) => type switch
    {
        AclResourceType.Topic => [AclOperation.Read, AclOperation.Write, AclOperation.Create, AclOperation.Delete, AclOperation.Alter,
            AclOperation.Describe, AclOperation.DescribeConfigs, AclOperation.AlterConfigs],
        AclResourceType.Group => [AclOperation.Read, AclOperation.Describe, AclOperation.Delete],
        AclResourceType.Cluster => [AclOperation.Create, AclOperation.ClusterAction, AclOperation.DescribeConfigs, AclOperation.AlterConfigs,
            AclOperation.IdempotentWrite, AclOperation.Alter, AclOperation.Describe],
        AclResourceType.TransactionalId => [AclOperation.Describe, AclOperation.Write],
        AclResourceType.DelegationToken => [AclOperation.Describe],
        AclResourceType.User => [AclOperation.CreateTokens, AclOperation.DescribeTokens],
        _ => [],
    };
}
