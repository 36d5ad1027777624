using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;
using static Rill.Broker.Tests.Security.Authorization.AclWire;

namespace Rill.Broker.Tests.Security.Authorization;

/// <summary>ACLs live in rill-acls.json in the data dir and survive a restart; ACL APIs without an authorizer answer SECURITY_DISABLED.</summary>
public class AclPersistenceTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string>? Properties => new Dictionary<string, string>
    {
        ["authorizer.class.name"] = AclAuthorizer.LegacyAuthorizerClass,
        ["super.users"] = "User:ANONYMOUS",
    };

    [Fact]
    public async Task Acls_survive_a_restart_and_keep_refusing()
    {
        AclBinding allow = Allow("User:alice", AclResourceType.Topic, "orders", AclOperation.Read);
        AclBinding deny = Deny("User:*", AclResourceType.Group, "riders-", AclOperation.All, AclPatternType.Prefixed);
        await using (WireClient client = await ConnectAsync())
        {
            await GrantAsync(client, allow, deny);
        }
        Assert.True(File.Exists(Path.Combine(Broker.DataDirectory, FileAclStore.FileName)));

        await Broker.RestartAsync();

        AclAuthorizer authorizer = Broker.Host.Broker.Authorizer;
        Assert.Equal(new HashSet<AclBinding> { allow, deny }, authorizer.Acls.ToHashSet());
        Assert.True(authorizer.Authorize("User:alice", null, AclOperation.Read, AclResourceType.Topic, "orders"));
        Assert.False(authorizer.Authorize("User:alice", null, AclOperation.Read, AclResourceType.Group, "riders-eu"));
        await using WireClient again = await ConnectAsync();
        var described = await again.RequestAsync<DescribeAclsResponse>(ApiKey.DescribeAcls, 1, new DescribeAclsRequest
        {
            ResourceTypeFilter = (sbyte)AclResourceType.Group, PatternTypeFilter = (sbyte)AclPatternType.Match, ResourceNameFilter = "riders-eu",
            PrincipalFilter = null, HostFilter = null, Operation = (sbyte)AclOperation.Any, PermissionType = (sbyte)AclPermissionType.Any,
        });
        Assert.Equal(0, described.ErrorCode);
        var resource = Assert.Single(described.Resources);
        Assert.Equal(("riders-", (sbyte)AclPatternType.Prefixed), (resource.ResourceName, resource.PatternType));
        Assert.Equal((sbyte)AclPermissionType.Deny, Assert.Single(resource.Acls).PermissionType);
    }
}

/// <summary>Without authorizer.class.name every request is allowed and the ACL APIs answer SECURITY_DISABLED, as Kafka does.</summary>
public class AclApisWithoutAuthorizerTests : BrokerTestBase
{
    [Fact]
    public async Task Acl_apis_answer_security_disabled()
    {
        await using WireClient client = await ConnectAsync();
        var created = await client.RequestAsync<CreateAclsResponse>(ApiKey.CreateAcls, 3,
            CreateRequest([Allow("User:alice", AclResourceType.Topic, "t", AclOperation.Read)]));
        Assert.Equal((short)ErrorCode.SecurityDisabled, created.Results[0].ErrorCode);
        var described = await client.RequestAsync<DescribeAclsResponse>(ApiKey.DescribeAcls, 3, new DescribeAclsRequest
        {
            ResourceTypeFilter = 1, PatternTypeFilter = 1, ResourceNameFilter = null, PrincipalFilter = null, HostFilter = null, Operation = 1, PermissionType = 1,
        });
        Assert.Equal((short)ErrorCode.SecurityDisabled, described.ErrorCode);
        var deleted = await client.RequestAsync<DeleteAclsResponse>(ApiKey.DeleteAcls, 3,
            new DeleteAclsRequest { Filters = [Filter(AclBindingFilter.Any)] });
        Assert.Equal((short)ErrorCode.SecurityDisabled, deleted.FilterResults[0].ErrorCode);
        Assert.False(File.Exists(Path.Combine(Broker.DataDirectory, FileAclStore.FileName)));
    }
}
