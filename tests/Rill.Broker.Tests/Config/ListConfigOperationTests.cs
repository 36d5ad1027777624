using Rill.Broker.Admin;

namespace Rill.Broker.Tests.Config;

/// <summary>IncrementalAlterConfigs APPEND and SUBTRACT on list values (KIP-339), as Kafka applies them.</summary>
public sealed class ListConfigOperationTests
{
    private const sbyte Append = ConfigOperation.Append, Subtract = ConfigOperation.Subtract;

    [Theory]
    [InlineData("delete", "compact", "delete,compact")]
    [InlineData("delete,compact", "compact", "delete,compact")]
    [InlineData("delete", "compact,compact", "delete,compact")]
    [InlineData("delete", " compact , delete ", "delete,compact")]
    [InlineData("", "0:1", "0:1")]
    [InlineData("", "0:1,1:1", "0:1,1:1")]
    [InlineData("compact", "delete", "compact,delete")]
    public void Append_adds_what_is_missing_in_order_and_never_a_duplicate(string current, string value, string expected) =>
        Assert.Equal(expected, ConfigAdmin.ApplyToList(current, Append, value));

    [Theory]
    [InlineData("delete,compact", "delete", "compact")]
    [InlineData("delete,compact", "delete,compact", "")]
    [InlineData("compact", "delete", "compact")]
    [InlineData("a,b,a", "a", "b")]
    [InlineData("", "delete", "")]
    [InlineData("delete, compact", " compact", "delete")]
    public void Subtract_removes_every_occurrence_and_ignores_what_is_absent(string current, string value, string expected) =>
        Assert.Equal(expected, ConfigAdmin.ApplyToList(current, Subtract, value));
}
