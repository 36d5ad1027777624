using System.Net;
using Rill.Broker.Config;
using Rill.Broker.Security.Authorization;

namespace Rill.Broker.Tests.Security.Authorization;

/// <summary>The authorizer's decisions: matching, implied operations, deny beats allow, prefixes, wildcards, super users, the no-ACL rule.</summary>
public class AclAuthorizerTests
{
    private static readonly IPEndPoint Local = new(IPAddress.Loopback, 40000);
    private static readonly IPEndPoint Other = new(IPAddress.Parse("10.1.2.3"), 40000);

    private static AclAuthorizer Create(bool allowEveryone = false, params string[] superUsers)
        => new(enabled: true, superUsers, allowEveryone, new InMemoryAclStore());

    private static AclBinding Acl(AclResourceType type, string name, string principal, AclOperation op,
        AclPermissionType permission = AclPermissionType.Allow, AclPatternType pattern = AclPatternType.Literal, string host = "*")
        => new(new ResourcePattern(type, name, pattern), new AccessControlEntry(principal, host, op, permission));

    private static void Add(AclAuthorizer authorizer, params AclBinding[] bindings)
        => Assert.All(authorizer.Create(bindings), Assert.Null);

    private static bool Can(AclAuthorizer a, string principal, AclOperation op, AclResourceType type, string name, IPEndPoint? from = null)
        => a.Authorize(principal, from ?? Local, op, type, name);

    [Fact]
    public void Literal_acl_allows_only_its_principal_operation_and_resource()
    {
        var a = Create();
        Add(a, Acl(AclResourceType.Topic, "orders", "User:alice", AclOperation.Write));
        Assert.True(Can(a, "User:alice", AclOperation.Write, AclResourceType.Topic, "orders"));
        Assert.False(Can(a, "User:bob", AclOperation.Write, AclResourceType.Topic, "orders"));
        Assert.False(Can(a, "User:alice", AclOperation.Read, AclResourceType.Topic, "orders"));
        Assert.False(Can(a, "User:alice", AclOperation.Delete, AclResourceType.Topic, "orders"));
        Assert.False(Can(a, "User:alice", AclOperation.Write, AclResourceType.Group, "orders"));
    }

    [Theory]
    [InlineData(AclOperation.Read, AclOperation.Describe, true)]
    [InlineData(AclOperation.Write, AclOperation.Describe, true)]
    [InlineData(AclOperation.Delete, AclOperation.Describe, true)]
    [InlineData(AclOperation.Alter, AclOperation.Describe, true)]
    [InlineData(AclOperation.AlterConfigs, AclOperation.DescribeConfigs, true)]
    [InlineData(AclOperation.All, AclOperation.AlterConfigs, true)]
    [InlineData(AclOperation.Describe, AclOperation.Read, false)]
    [InlineData(AclOperation.Create, AclOperation.Describe, false)]
    [InlineData(AclOperation.DescribeConfigs, AclOperation.AlterConfigs, false)]
    [InlineData(AclOperation.Read, AclOperation.DescribeConfigs, false)]
    public void Allow_implies_operations_as_kafka_does(AclOperation granted, AclOperation requested, bool allowed)
    {
        var a = Create();
        Add(a, Acl(AclResourceType.Topic, "t", "User:alice", granted));
        Assert.Equal(allowed, Can(a, "User:alice", requested, AclResourceType.Topic, "t"));
    }

    [Fact]
    public void Deny_beats_allow_and_deny_does_not_imply()
    {
        var a = Create();
        Add(a,
            Acl(AclResourceType.Topic, "*", "User:alice", AclOperation.All),
            Acl(AclResourceType.Topic, "secret", "User:alice", AclOperation.Read, AclPermissionType.Deny));
        Assert.False(Can(a, "User:alice", AclOperation.Read, AclResourceType.Topic, "secret"));
        Assert.True(Can(a, "User:alice", AclOperation.Read, AclResourceType.Topic, "public"));
        // DENY READ does not deny DESCRIBE (Kafka implies operations for ALLOW only).
        Assert.True(Can(a, "User:alice", AclOperation.Describe, AclResourceType.Topic, "secret"));

        Add(a, Acl(AclResourceType.Topic, "sec", "User:*", AclOperation.All, AclPermissionType.Deny, AclPatternType.Prefixed));
        Assert.False(Can(a, "User:alice", AclOperation.Describe, AclResourceType.Topic, "secret"));
        Assert.False(Can(a, "User:alice", AclOperation.Write, AclResourceType.Topic, "second"));
        Assert.True(Can(a, "User:alice", AclOperation.Write, AclResourceType.Topic, "public"));
    }

    [Fact]
    public void Prefixed_patterns_cover_names_starting_with_the_prefix()
    {
        var a = Create();
        Add(a, Acl(AclResourceType.Group, "riders-", "User:alice", AclOperation.Read, pattern: AclPatternType.Prefixed));
        Assert.True(Can(a, "User:alice", AclOperation.Read, AclResourceType.Group, "riders-eu"));
        Assert.True(Can(a, "User:alice", AclOperation.Read, AclResourceType.Group, "riders-"));
        Assert.False(Can(a, "User:alice", AclOperation.Read, AclResourceType.Group, "riders"));
        Assert.False(Can(a, "User:alice", AclOperation.Read, AclResourceType.Group, "xriders-eu"));
    }

    [Fact]
    public void Wildcard_resource_and_principal_match_everything_of_their_kind()
    {
        var a = Create();
        Add(a, Acl(AclResourceType.Topic, "*", "User:*", AclOperation.Describe));
        Assert.True(Can(a, "User:anyone", AclOperation.Describe, AclResourceType.Topic, "x"));
        Assert.False(Can(a, "User:anyone", AclOperation.Describe, AclResourceType.Group, "x"));
        Assert.False(Can(a, "User:anyone", AclOperation.Read, AclResourceType.Topic, "x"));
    }

    [Fact]
    public void Host_restricts_the_entry_to_that_client_address()
    {
        var a = Create();
        Add(a, Acl(AclResourceType.Topic, "t", "User:alice", AclOperation.Read, host: "127.0.0.1"));
        Assert.True(Can(a, "User:alice", AclOperation.Read, AclResourceType.Topic, "t", Local));
        Assert.False(Can(a, "User:alice", AclOperation.Read, AclResourceType.Topic, "t", Other));
        var mapped = new IPEndPoint(IPAddress.Loopback.MapToIPv6(), 1);
        Assert.True(Can(a, "User:alice", AclOperation.Read, AclResourceType.Topic, "t", mapped));
    }

    [Fact]
    public void Super_users_are_allowed_everything_even_against_a_deny()
    {
        var a = Create(false, "User:admin", "User:ops");
        Add(a, Acl(AclResourceType.Topic, "*", "User:*", AclOperation.All, AclPermissionType.Deny));
        Assert.True(Can(a, "User:admin", AclOperation.Delete, AclResourceType.Topic, "t"));
        Assert.True(Can(a, "User:ops", AclOperation.Alter, AclResourceType.Cluster, AclNames.ClusterName));
        Assert.False(Can(a, "User:alice", AclOperation.Describe, AclResourceType.Topic, "t"));
    }

    [Fact]
    public void Resources_without_any_acl_follow_allow_everyone_if_no_acl_found()
    {
        var strict = Create();
        var open = Create(allowEveryone: true);
        foreach (var a in new[] { strict, open })
        {
            Add(a, Acl(AclResourceType.Topic, "guarded", "User:alice", AclOperation.Read));
        }
        Assert.False(Can(strict, "User:bob", AclOperation.Read, AclResourceType.Topic, "free"));
        Assert.True(Can(open, "User:bob", AclOperation.Read, AclResourceType.Topic, "free"));
        // Once any ACL covers the resource, only matching ACLs count.
        Assert.False(Can(open, "User:bob", AclOperation.Read, AclResourceType.Topic, "guarded"));
    }

    [Fact]
    public void Disabled_authorizer_allows_everything()
    {
        var a = new AclAuthorizer(enabled: false, [], false, new InMemoryAclStore());
        Assert.True(a.Authorize("User:bob", Local, AclOperation.Delete, AclResourceType.Topic, "t"));
    }

    [Fact]
    public void Authorize_any_finds_an_allow_not_covered_by_a_deny()
    {
        var a = Create();
        Add(a, Acl(AclResourceType.Topic, "app-", "User:alice", AclOperation.Write, pattern: AclPatternType.Prefixed));
        Assert.True(a.AuthorizeAny("User:alice", Local, AclOperation.Write, AclResourceType.Topic));
        Assert.False(a.AuthorizeAny("User:bob", Local, AclOperation.Write, AclResourceType.Topic));
        Add(a, Acl(AclResourceType.Topic, "app", "User:alice", AclOperation.Write, AclPermissionType.Deny, AclPatternType.Prefixed));
        Assert.False(a.AuthorizeAny("User:alice", Local, AclOperation.Write, AclResourceType.Topic));
    }

    [Fact]
    public void Authorized_operations_bit_field_lists_allowed_operations()
    {
        var a = Create();
        Add(a, Acl(AclResourceType.Group, "g", "User:alice", AclOperation.Read));
        int bits = a.AuthorizedOperations("User:alice", Local, AclResourceType.Group, "g");
        Assert.Equal((1 << (int)AclOperation.Read) | (1 << (int)AclOperation.Describe), bits);
    }

    [Fact]
    public void Filters_match_as_kafka_resource_pattern_filters_do()
    {
        var a = Create();
        AclBinding literal = Acl(AclResourceType.Topic, "orders", "User:alice", AclOperation.Read);
        AclBinding wildcard = Acl(AclResourceType.Topic, "*", "User:bob", AclOperation.Write);
        AclBinding prefixed = Acl(AclResourceType.Topic, "ord", "User:carol", AclOperation.Read, pattern: AclPatternType.Prefixed);
        AclBinding group = Acl(AclResourceType.Group, "orders", "User:alice", AclOperation.Read);
        Add(a, literal, wildcard, prefixed, group);

        AclBindingFilter F(AclResourceType t, string? name, AclPatternType p) => AclBindingFilter.Any with { ResourceType = t, ResourceName = name, PatternType = p };
        Assert.Equal([literal, wildcard, prefixed], a.Describe(F(AclResourceType.Topic, "orders", AclPatternType.Match)));
        Assert.Equal([literal], a.Describe(F(AclResourceType.Topic, "orders", AclPatternType.Any)));
        Assert.Equal([literal, wildcard], a.Describe(F(AclResourceType.Topic, null, AclPatternType.Literal)));
        Assert.Equal([prefixed], a.Describe(F(AclResourceType.Any, null, AclPatternType.Prefixed)));
        Assert.Equal([literal, group], a.Describe(AclBindingFilter.Any with { Principal = "User:alice" }));
        Assert.Equal(4, a.Describe(AclBindingFilter.Any).Count);
    }

    [Fact]
    public void Delete_removes_what_each_filter_matched_and_reports_it_per_filter()
    {
        var a = Create();
        AclBinding r = Acl(AclResourceType.Topic, "t", "User:alice", AclOperation.Read);
        AclBinding w = Acl(AclResourceType.Topic, "t", "User:alice", AclOperation.Write);
        AclBinding g = Acl(AclResourceType.Group, "g", "User:alice", AclOperation.Read);
        Add(a, r, w, g);
        var matched = a.Delete([AclBindingFilter.Any with { Operation = AclOperation.Read }, AclBindingFilter.Any with { ResourceType = AclResourceType.Topic }]);
        Assert.Equal([r, g], matched[0]);
        Assert.Equal([r, w], matched[1]);
        Assert.Empty(a.Acls);
        Assert.False(Can(a, "User:alice", AclOperation.Read, AclResourceType.Topic, "t"));
    }

    [Theory]
    [InlineData(AclResourceType.Any, "t", AclPatternType.Literal, "User:a", AclOperation.Read, AclPermissionType.Allow)]
    [InlineData(AclResourceType.Topic, "t", AclPatternType.Match, "User:a", AclOperation.Read, AclPermissionType.Allow)]
    [InlineData(AclResourceType.Topic, "", AclPatternType.Literal, "User:a", AclOperation.Read, AclPermissionType.Allow)]
    [InlineData(AclResourceType.Cluster, "other", AclPatternType.Literal, "User:a", AclOperation.Alter, AclPermissionType.Allow)]
    [InlineData(AclResourceType.Topic, "t", AclPatternType.Literal, "alice", AclOperation.Read, AclPermissionType.Allow)]
    [InlineData(AclResourceType.Topic, "t", AclPatternType.Literal, "User:a", AclOperation.Any, AclPermissionType.Allow)]
    [InlineData(AclResourceType.Topic, "t", AclPatternType.Literal, "User:a", AclOperation.Read, AclPermissionType.Any)]
    public void Invalid_bindings_are_refused_and_not_stored(AclResourceType type, string name, AclPatternType pattern, string principal,
        AclOperation op, AclPermissionType permission)
    {
        var a = Create();
        var errors = a.Create([new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry(principal, "*", op, permission))]);
        Assert.NotNull(errors[0]);
        Assert.Empty(a.Acls);
    }

    [Fact]
    public void Changes_are_seen_by_the_next_check_despite_the_lookup_cache()
    {
        var a = Create();
        Assert.False(Can(a, "User:alice", AclOperation.Read, AclResourceType.Topic, "t"));
        Add(a, Acl(AclResourceType.Topic, "t", "User:alice", AclOperation.Read));
        Assert.True(Can(a, "User:alice", AclOperation.Read, AclResourceType.Topic, "t"));
        a.Delete([AclBindingFilter.Any]);
        Assert.False(Can(a, "User:alice", AclOperation.Read, AclResourceType.Topic, "t"));
    }

    [Fact]
    public void File_store_round_trips_every_binding()
    {
        using var dir = new TempDirectory();
        var store = new FileAclStore(dir.Path);
        var a = new AclAuthorizer(true, [], false, store);
        AclBinding[] bindings =
        [
            Acl(AclResourceType.Topic, "orders", "User:alice", AclOperation.IdempotentWrite),
            Acl(AclResourceType.Group, "g-", "User:bob", AclOperation.Read, AclPermissionType.Deny, AclPatternType.Prefixed, "10.0.0.1"),
            Acl(AclResourceType.Cluster, AclNames.ClusterName, "User:ops", AclOperation.ClusterAction),
            Acl(AclResourceType.TransactionalId, "tx", "User:alice", AclOperation.Write),
            Acl(AclResourceType.DelegationToken, "tok", "User:alice", AclOperation.Describe),
        ];
        Add(a, bindings);
        var reloaded = new AclAuthorizer(true, [], false, new FileAclStore(dir.Path));
        reloaded.Load();
        Assert.Equal(bindings.ToHashSet(), reloaded.Acls.ToHashSet());
        Assert.True(reloaded.Authorize("User:ops", Local, AclOperation.ClusterAction, AclResourceType.Cluster, AclNames.ClusterName));
    }

    [Theory]
    [InlineData(AclAuthorizer.StandardAuthorizerClass, true)]
    [InlineData(AclAuthorizer.LegacyAuthorizerClass, true)]
    [InlineData("", false)]
    public void Authorizer_class_name_turns_acls_on(string className, bool enabled)
    {
        var config = BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["authorizer.class.name"] = className, ["super.users"] = "User:admin; User:ops", ["allow.everyone.if.no.acl.found"] = "true",
        });
        var a = AclAuthorizer.FromConfig(config, new InMemoryAclStore());
        Assert.Equal(enabled, a.Enabled);
        Assert.True(a.AllowEveryoneIfNoAclFound);
        Assert.Equal(["User:admin", "User:ops"], a.SuperUsers.Order());
    }

    [Fact]
    public void Unknown_authorizer_class_or_bad_super_user_fails_the_start()
    {
        var bad = BrokerConfig.FromProperties(new Dictionary<string, string> { ["authorizer.class.name"] = "com.example.MyAuthorizer" });
        Assert.Equal("authorizer.class.name", Assert.Throws<ConfigException>(() => AclAuthorizer.FromConfig(bad, new InMemoryAclStore())).PropertyName);
        var badUser = BrokerConfig.FromProperties(new Dictionary<string, string> { ["super.users"] = "admin" });
        Assert.Equal("super.users", Assert.Throws<ConfigException>(() => AclAuthorizer.FromConfig(badUser, new InMemoryAclStore())).PropertyName);
    }
}
