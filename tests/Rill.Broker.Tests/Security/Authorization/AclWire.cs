using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests.Security.Authorization;

/// <summary>CreateAcls / DeleteAcls over the wire, for tests that grant and revoke.</summary>
internal static class AclWire
{
    public static AclBinding Allow(string principal, AclResourceType type, string name, AclOperation op, AclPatternType pattern = AclPatternType.Literal)
        => new(new ResourcePattern(type, name, pattern), new AccessControlEntry(principal, "*", op, AclPermissionType.Allow));

    public static AclBinding Deny(string principal, AclResourceType type, string name, AclOperation op, AclPatternType pattern = AclPatternType.Literal)
        => new(new ResourcePattern(type, name, pattern), new AccessControlEntry(principal, "*", op, AclPermissionType.Deny));

    public static CreateAclsRequest CreateRequest(IEnumerable<AclBinding> bindings)
    {
        var request = new CreateAclsRequest();
        foreach (AclBinding b in bindings)
        {
            request.Creations.Add(new CreateAclsRequest.AclCreation
            {
                ResourceType = (sbyte)b.Pattern.Type,
                ResourceName = b.Pattern.Name,
                ResourcePatternType = (sbyte)b.Pattern.PatternType,
                Principal = b.Entry.Principal,
                Host = b.Entry.Host,
                Operation = (sbyte)b.Entry.Operation,
                PermissionType = (sbyte)b.Entry.Permission,
            });
        }
        return request;
    }

    public static async Task GrantAsync(WireClient admin, params AclBinding[] bindings)
    {
        if (bindings.Length == 0)
        {
            return;
        }
        var response = await admin.RequestAsync<CreateAclsResponse>(ApiKey.CreateAcls, 3, CreateRequest(bindings));
        Assert.All(response.Results, r => Assert.Equal(0, r.ErrorCode));
    }

    public static DeleteAclsRequest.DeleteAclsFilter Filter(AclBindingFilter f) => new()
    {
        ResourceTypeFilter = (sbyte)f.ResourceType,
        ResourceNameFilter = f.ResourceName,
        PatternTypeFilter = (sbyte)f.PatternType,
        PrincipalFilter = f.Principal,
        HostFilter = f.Host,
        Operation = (sbyte)f.Operation,
        PermissionType = (sbyte)f.Permission,
    };

    public static async Task RevokeAllAsync(WireClient admin, string principal)
    {
        var response = await admin.RequestAsync<DeleteAclsResponse>(ApiKey.DeleteAcls, 3,
            new DeleteAclsRequest { Filters = [Filter(AclBindingFilter.Any with { Principal = principal })] });
        Assert.Equal(0, response.FilterResults[0].ErrorCode);
    }
}
