using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client;

/// <summary>
/// One ACL binding or binding filter with Kafka's wire codes: resource type (2 topic, 3 group, 4 cluster,
/// 5 transactional id, 6 delegation token; 1 any in filters), pattern type (3 literal, 4 prefixed; 1 any,
/// 2 match in filters), operation (3 read ... 14 describe tokens; 1 any in filters) and permission
/// (2 deny, 3 allow; 1 any in filters). In a filter, null names, principals and hosts match anything.
/// </summary>
public sealed record AclBindingData(sbyte ResourceType, string? ResourceName, sbyte PatternType, string? Principal, string? Host,
    sbyte Operation, sbyte Permission);

/// <summary>CreateAcls, DescribeAcls and DeleteAcls.</summary>
public sealed partial class AdminClient
{
    /// <summary>Adds ACL bindings; throws a <see cref="KafkaException"/> for the first one refused.</summary>
    public async Task CreateAclsAsync(IEnumerable<AclBindingData> bindings, CancellationToken cancellationToken = default)
    {
        var (connection, version) = await ControllerAsync(ApiKey.CreateAcls, cancellationToken).ConfigureAwait(false);
        var request = new CreateAclsRequest();
        foreach (AclBindingData b in bindings)
        {
            request.Creations.Add(new CreateAclsRequest.AclCreation
            {
                ResourceType = b.ResourceType, ResourceName = b.ResourceName ?? "", ResourcePatternType = b.PatternType,
                Principal = b.Principal ?? "", Host = b.Host ?? "*", Operation = b.Operation, PermissionType = b.Permission,
            });
        }
        var response = await connection.SendAsync<CreateAclsResponse>(ApiKey.CreateAcls, version, request, cancellationToken).ConfigureAwait(false);
        foreach (var result in response.Results)
        {
            KafkaException.ThrowIfError(result.ErrorCode, "Create ACLs", result.ErrorMessage);
        }
    }

    /// <summary>The ACL bindings matching <paramref name="filter"/>.</summary>
    public async Task<IReadOnlyList<AclBindingData>> DescribeAclsAsync(AclBindingData filter, CancellationToken cancellationToken = default)
    {
        var (connection, version) = await ControllerAsync(ApiKey.DescribeAcls, cancellationToken).ConfigureAwait(false);
        var request = new DescribeAclsRequest
        {
            ResourceTypeFilter = filter.ResourceType, ResourceNameFilter = filter.ResourceName, PatternTypeFilter = filter.PatternType,
            PrincipalFilter = filter.Principal, HostFilter = filter.Host, Operation = filter.Operation, PermissionType = filter.Permission,
        };
        var response = await connection.SendAsync<DescribeAclsResponse>(ApiKey.DescribeAcls, version, request, cancellationToken).ConfigureAwait(false);
        KafkaException.ThrowIfError(response.ErrorCode, "Describe ACLs", response.ErrorMessage);
        return response.Resources
            .SelectMany(r => r.Acls.Select(a => new AclBindingData(r.ResourceType, r.ResourceName, r.PatternType, a.Principal, a.Host, a.Operation, a.PermissionType)))
            .ToList();
    }

    /// <summary>Deletes every binding matching any filter; returns the bindings deleted.</summary>
    public async Task<IReadOnlyList<AclBindingData>> DeleteAclsAsync(IEnumerable<AclBindingData> filters, CancellationToken cancellationToken = default)
    {
        var (connection, version) = await ControllerAsync(ApiKey.DeleteAcls, cancellationToken).ConfigureAwait(false);
        var request = new DeleteAclsRequest();
        foreach (AclBindingData f in filters)
        {
            request.Filters.Add(new DeleteAclsRequest.DeleteAclsFilter
            {
                ResourceTypeFilter = f.ResourceType, ResourceNameFilter = f.ResourceName, PatternTypeFilter = f.PatternType,
                PrincipalFilter = f.Principal, HostFilter = f.Host, Operation = f.Operation, PermissionType = f.Permission,
            });
        }
        var response = await connection.SendAsync<DeleteAclsResponse>(ApiKey.DeleteAcls, version, request, cancellationToken).ConfigureAwait(false);
        var deleted = new List<AclBindingData>();
        foreach (var result in response.FilterResults)
        {
            KafkaException.ThrowIfError(result.ErrorCode, "Delete ACLs", result.ErrorMessage);
            deleted.AddRange(result.MatchingAcls.Select(a =>
                new AclBindingData(a.ResourceType, a.ResourceName, a.PatternType, a.Principal, a.Host, a.Operation, a.PermissionType)));
        }
        return deleted.Distinct().ToList();
    }
}
