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
