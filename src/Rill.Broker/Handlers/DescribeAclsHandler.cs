using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// DescribeAcls (key 29), v0-3: the ACLs matching one filter, grouped by resource pattern. Needs
/// DESCRIBE on the cluster (CLUSTER_AUTHORIZATION_FAILED); SECURITY_DISABLED without an authorizer;
/// an UNKNOWN type, pattern type, operation or permission in the filter answers INVALID_REQUEST.
/// </summary>
internal sealed class DescribeAclsHandler : ApiHandler<DescribeAclsRequest, DescribeAclsResponse>
{
    private readonly KafkaBroker _broker;

    public DescribeAclsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.DescribeAcls;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override ValueTask<DescribeAclsResponse?> HandleAsync(RequestContext context, DescribeAclsRequest request)
    {
        var response = new DescribeAclsResponse();
        AclAuthorizer authorizer = _broker.Authorizer;
        var filter = new AclBindingFilter((AclResourceType)request.ResourceTypeFilter, request.ResourceNameFilter,
            (AclPatternType)request.PatternTypeFilter, request.PrincipalFilter, request.HostFilter,
            (AclOperation)request.Operation, (AclPermissionType)request.PermissionType);
        if (!authorizer.Enabled)
        {
            (response.ErrorCode, response.ErrorMessage) = ((short)ErrorCode.SecurityDisabled, "No Authorizer is configured on the broker");
        }
        else if (!authorizer.AllowsCluster(context, AclOperation.Describe))
        {
            (response.ErrorCode, response.ErrorMessage) = ((short)ErrorCode.ClusterAuthorizationFailed, "DescribeAcls needs DESCRIBE on the cluster");
        }
        else if (filter.Validate() is { } invalid)
        {
            (response.ErrorCode, response.ErrorMessage) = ((short)ErrorCode.InvalidRequest, invalid);
        }
        else
        {
            foreach (var group in authorizer.Describe(filter).GroupBy(b => b.Pattern))
            {
                var resource = new DescribeAclsResponse.DescribeAclsResource
                {
                    ResourceType = (sbyte)group.Key.Type,
                    ResourceName = group.Key.Name,
                    PatternType = (sbyte)group.Key.PatternType,
                };
                foreach (AclBinding binding in group)
                {
                    resource.Acls.Add(new DescribeAclsResponse.AclDescription
                    {
                        Principal = binding.Entry.Principal,
                        Host = binding.Entry.Host,
                        Operation = (sbyte)binding.Entry.Operation,
                        PermissionType = (sbyte)binding.Entry.Permission,
                    });
                }
                response.Resources.Add(resource);
            }
        }
        return ValueTask.FromResult<DescribeAclsResponse?>(response);
    }
}
