using Rill.Broker.Quotas;
using Rill.Protocol;

namespace Rill.Broker.Tests.Quotas;

/// <summary>AlterClientQuotas validation, DescribeClientQuotas filters, persistence and KIP-55 precedence.</summary>
public class ClientQuotaConfigsTests
{
    private readonly ClientQuotaConfigs _configs = new(new InMemoryClientQuotaStore());

    private (ErrorCode, string?) Set(string key, double value, params (string Type, string? Name)[] entity)
        => _configs.Alter(entity, [new QuotaOp(key, value, false)], validateOnly: false);

    [Theory]
    [InlineData("producer_byte_rate", 1024.5, "whole number")]
    [InlineData("producer_byte_rate", 0, "positive")]
    [InlineData("request_percentage", -1, "positive")]
    [InlineData("connection_creation_rate", 10, "Invalid configuration key")]
    [InlineData("no_such_quota", 10, "Invalid configuration key")]
    public void Bad_keys_and_values_for_a_user_are_invalid_requests(string key, double value, string message)
    {
        var (error, text) = Set(key, value, ("user", "alice"));
        Assert.Equal(ErrorCode.InvalidRequest, error);
        Assert.Contains(message, text);
        Assert.Empty(_configs.Current);
    }

    [Fact]
    public void Bad_entities_are_invalid_requests()
    {
        Assert.Equal(ErrorCode.InvalidRequest, Set("producer_byte_rate", 10).Item1);
        Assert.Equal(ErrorCode.InvalidRequest, Set("producer_byte_rate", 10, ("user", "a"), ("user", "b")).Item1);
        Assert.Equal(ErrorCode.InvalidRequest, Set("connection_creation_rate", 10, ("ip", "1.2.3.4"), ("user", "b")).Item1);
        Assert.Equal(ErrorCode.InvalidRequest, Set("connection_creation_rate", 10, ("ip", "not-an-ip")).Item1);
        Assert.Equal(ErrorCode.InvalidRequest, Set("producer_byte_rate", 10, ("topic", "x")).Item1);
        Assert.Equal(ErrorCode.InvalidRequest, Set("producer_byte_rate", 10, ("ip", "1.2.3.4")).Item1);
        Assert.Equal(ErrorCode.InvalidRequest, _configs.Alter([("user", "a")],
            [new QuotaOp("producer_byte_rate", 1, false), new QuotaOp("producer_byte_rate", 2, false)], false).Item1);
        Assert.Empty(_configs.Current);
    }

    [Fact]
    public void Validate_only_changes_nothing_and_remove_deletes_a_key_then_the_entity()
    {
        Assert.Equal(ErrorCode.None, _configs.Alter([("user", "a")], [new QuotaOp("producer_byte_rate", 100, false)], validateOnly: true).Item1);
        Assert.Empty(_configs.Current);
        Assert.Equal(ErrorCode.None, Set("producer_byte_rate", 100, ("user", "a")).Item1);
        Assert.Equal(ErrorCode.None, Set("consumer_byte_rate", 200, ("user", "a")).Item1);
        Assert.Equal(2, _configs.Current[QuotaEntity.ForUser("a")].Count);
        _configs.Alter([("user", "a")], [new QuotaOp("producer_byte_rate", 0, true)], false);
        Assert.Equal(200, _configs.Current[QuotaEntity.ForUser("a")]["consumer_byte_rate"]);
        _configs.Alter([("user", "a")], [new QuotaOp("consumer_byte_rate", 0, true)], false);
        Assert.Empty(_configs.Current);
    }

    [Fact]
    public void Describe_filters_by_exact_default_and_specified_names_strictly_or_not()
    {
        Set("producer_byte_rate", 1, ("user", "alice"));
        Set("producer_byte_rate", 2, ("user", null));
        Set("producer_byte_rate", 3, ("user", "alice"), ("client-id", "app"));
        Set("producer_byte_rate", 4, ("client-id", "app"));
        Set("connection_creation_rate", 5, ("ip", "10.0.0.1"));
        Set("connection_creation_rate", 6, ("ip", null));

        double[] Values(bool strict, params QuotaFilterComponent[] filter) =>
            _configs.Describe(filter, strict).Select(e => e.Value.Values.Single()).Order().ToArray();

        Assert.Equal([1, 3], Values(false, F("user", 0, "alice")));
        Assert.Equal([1], Values(true, F("user", 0, "alice")));
        Assert.Equal([2], Values(false, F("user", 1, null)));
        Assert.Equal([1, 3], Values(false, F("user", 2, null)));
        Assert.Equal([3, 4], Values(false, F("client-id", 0, "app")));
        Assert.Equal([3], Values(true, F("user", 2, null), F("client-id", 2, null)));
        Assert.Equal([5], Values(false, F("ip", 2, null)));
        Assert.Equal([1, 2, 3, 4, 5, 6], Values(false));
        Assert.Equal([], Values(true));
        Assert.Equal([6], Values(false, F("ip", 1, null)));
    }

    private static QuotaFilterComponent F(string type, sbyte match, string? name) => new(type, match, name);

    [Theory]
    [InlineData("user", (sbyte)0, null, ErrorCode.InvalidRequest)]
    [InlineData("user", (sbyte)1, "x", ErrorCode.InvalidRequest)]
    [InlineData("user", (sbyte)7, null, ErrorCode.InvalidRequest)]
    [InlineData("", (sbyte)1, null, ErrorCode.InvalidRequest)]
    [InlineData("topic", (sbyte)1, null, ErrorCode.UnsupportedVersion)]
    public void Bad_filters_are_refused(string type, sbyte match, string? name, ErrorCode expected)
    {
        var e = Assert.Throws<QuotaRequestException>(() => _configs.Describe([new QuotaFilterComponent(type, match, name)], false));
        Assert.Equal(expected, e.Error);
    }

    [Fact]
    public void Describe_refuses_a_repeated_type_and_ip_mixed_with_user()
    {
        Assert.Throws<QuotaRequestException>(() => _configs.Describe([new("user", 1, null), new("user", 2, null)], false));
        Assert.Throws<QuotaRequestException>(() => _configs.Describe([new("ip", 1, null), new("user", 2, null)], false));
    }

    [Fact]
    public void Quotas_survive_a_reload_from_the_data_directory()
    {
        using var dir = new TempDirectory();
        var first = new ClientQuotaConfigs(new FileClientQuotaStore(dir.Path));
        first.Alter([("user", "alice"), ("client-id", null)], [new QuotaOp("producer_byte_rate", 1024, false)], false);
        first.Alter([("ip", null)], [new QuotaOp("connection_creation_rate", 7, false)], false);
        var reloaded = new ClientQuotaConfigs(new FileClientQuotaStore(dir.Path));
        Assert.Equal(1024, reloaded.Current[new QuotaEntity(new EntityName("alice"), EntityName.Default, null)]["producer_byte_rate"]);
        Assert.Equal(7, reloaded.Current[QuotaEntity.ForIp(null)]["connection_creation_rate"]);
    }

    [Fact]
    public void The_most_specific_quota_wins_in_Kafkas_precedence_order()
    {
        var manager = new ClientQuotaManager(_configs, QuotaKeys.ProducerByteRate, "Produce", 11, 1000, long.MaxValue);
        (double, string, string)? Resolve(string user, string client) =>
            manager.TryResolve(user, client, out double bound, out string u, out string c) ? (bound, u, c) : null;

        Assert.Null(Resolve("alice", "app"));
        Set("producer_byte_rate", 8, ("client-id", null));
        Assert.Equal((8, "", "app"), Resolve("alice", "app"));
        Set("producer_byte_rate", 7, ("client-id", "app"));
        Assert.Equal((7, "", "app"), Resolve("alice", "app"));
        Set("producer_byte_rate", 6, ("user", null));
        Assert.Equal((6, "alice", ""), Resolve("alice", "app"));
        Set("producer_byte_rate", 5, ("user", null), ("client-id", null));
        Assert.Equal((5, "alice", "app"), Resolve("alice", "app"));
        Set("producer_byte_rate", 4, ("user", null), ("client-id", "app"));
        Assert.Equal((4, "alice", "app"), Resolve("alice", "app"));
        Set("producer_byte_rate", 3, ("user", "alice"));
        Assert.Equal((3, "alice", ""), Resolve("alice", "app"));
        Assert.Equal((4, "bob", "app"), Resolve("bob", "app"));
        Set("producer_byte_rate", 2, ("user", "alice"), ("client-id", null));
        Assert.Equal((2, "alice", "app"), Resolve("alice", "app"));
        Set("producer_byte_rate", 1, ("user", "alice"), ("client-id", "app"));
        Assert.Equal((1, "alice", "app"), Resolve("alice", "app"));
        Assert.Equal((2, "alice", "other"), Resolve("alice", "other"));
    }

    [Fact]
    public void A_user_quota_is_shared_by_all_its_client_ids_and_a_client_quota_is_not()
    {
        var manager = new ClientQuotaManager(_configs, QuotaKeys.ProducerByteRate, "Produce", 11, 1000, long.MaxValue);
        Set("producer_byte_rate", 100, ("user", "alice"));
        Assert.Same(manager.Find("alice", "a", out _), manager.Find("alice", "b", out _));
        Set("producer_byte_rate", 100, ("client-id", null));
        Assert.NotSame(manager.Find("bob", "a", out _), manager.Find("bob", "b", out _));
    }
}
