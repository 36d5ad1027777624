using System.Reflection;
using Rill.Broker.Config;

namespace Rill.Broker.Tests;

/// <summary>
/// Enum values that outlive the process (written into log records or sent to clients) are append-only: this test
/// pins each such enum's every name and number, so renumbering, removing or silently adding a value fails here and
/// the change must be made on purpose, here too. Types are found by name so a move shows up as a failure, not a
/// compile error in an unrelated project.
/// </summary>
public sealed class PersistedEnumTests
{
    /// <summary>Enums written to disk: into __consumer_offsets records (Coordination).</summary>
    public static TheoryData<string, string, string> OnDisk => new()
    {
        // ConsumerGroupCurrentMemberAssignmentValue.State (int8), Kafka's MemberState numbering.
        { "Rill.Coordination", "Rill.Coordination.Groups.Consumer.MemberState", "Stable=0, UnrevokedPartitions=1, UnreleasedPartitions=2" },
    };

    /// <summary>Enums whose numbers are Kafka wire values (DescribeConfigs ConfigSource).</summary>
    public static TheoryData<string, string, string> OnTheWire => new()
    {
        { "Rill.Broker", typeof(ConfigSource).FullName!,
            "Unknown=0, DynamicTopicConfig=1, DynamicBrokerConfig=2, DynamicDefaultBrokerConfig=3, StaticBrokerConfig=4, DefaultConfig=5" },
        // Kafka's ACL codes: on the wire (Create/Describe/DeleteAcls) and the bit positions of authorized operations.
        { "Rill.Broker", "Rill.Broker.Security.Authorization.AclResourceType",
            "Unknown=0, Any=1, Topic=2, Group=3, Cluster=4, TransactionalId=5, DelegationToken=6, User=7" },
        { "Rill.Broker", "Rill.Broker.Security.Authorization.AclPatternType", "Unknown=0, Any=1, Match=2, Literal=3, Prefixed=4" },
        { "Rill.Broker", "Rill.Broker.Security.Authorization.AclOperation",
            "Unknown=0, Any=1, All=2, Read=3, Write=4, Create=5, Delete=6, Alter=7, Describe=8, ClusterAction=9, DescribeConfigs=10, "
            + "AlterConfigs=11, IdempotentWrite=12, CreateTokens=13, DescribeTokens=14" },
        { "Rill.Broker", "Rill.Broker.Security.Authorization.AclPermissionType", "Unknown=0, Any=1, Deny=2, Allow=3" },
    };

    [Theory]
    [MemberData(nameof(OnDisk))]
    [MemberData(nameof(OnTheWire))]
    public void Persisted_enum_values_never_change(string assembly, string typeName, string pinned)
    {
        Type? type = Assembly.Load(assembly).GetType(typeName);
        Assert.True(type is { IsEnum: true }, $"{typeName} is not an enum in {assembly} any more: move its pin with it");
        string actual = string.Join(", ", Enum.GetNames(type!).Select(n => $"{n}={Convert.ToInt64(Enum.Parse(type!, n), System.Globalization.CultureInfo.InvariantCulture)}"));
        Assert.Equal(pinned, actual);
    }
}
