using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// DeleteAcls (key 31), v0-3: removes every ACL matching each filter and lists, per filter, the
/// ACLs it matched (all filters see the ACLs as they were before the request). Needs ALTER on the
/// cluster (CLUSTER_AUTHORIZATION_FAILED per filter); SECURITY_DISABLED without an authorizer; an
/// invalid filter answers INVALID_REQUEST for that filter only.
/// </summary>
internal sealed class DeleteAclsHandler : ApiHandler<DeleteAclsRequest, DeleteAclsResponse>
{
    private readonly KafkaBroker _broker;

    public DeleteAclsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.DeleteAcls;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override ValueTask<DeleteAclsResponse?> HandleAsync(RequestContext context, DeleteAclsRequest request)
    {
        var response = new DeleteAclsResponse();
        AclAuthorizer authorizer = _broker.Authorizer;
        (ErrorCode refused, string? why) = !authorizer.Enabled
            ? (ErrorCode.SecurityDisabled, "No Authorizer is configured on the broker")
            : !authorizer.AllowsCluster(context, AclOperation.Alter)
                ? (ErrorCode.ClusterAuthorizationFailed, "DeleteAcls needs ALTER on the cluster")
                : (ErrorCode.None, null);

        var filters = request.Filters.Select(f => new AclBindingFilter((AclResourceType)f.ResourceTypeFilter, f.ResourceNameFilter,
            (AclPatternType)f.PatternTypeFilter, f.PrincipalFilter, f.HostFilter, (AclOperation)f.Operation, (AclPermissionType)f.PermissionType)).ToList();
        var valid = new List<AclBindingFilter>();
        var results = new DeleteAclsResponse.DeleteAclsFilterResult[filters.Count];
        for (int i = 0; i < filters.Count; i++)
        {
            string? invalid = refused == ErrorCode.None ? filters[i].Validate() : why;
            results[i] = new DeleteAclsResponse.DeleteAclsFilterResult
            {
                ErrorCode = (short)(refused != ErrorCode.None ? refused : invalid is null ? ErrorCode.None : ErrorCode.InvalidRequest),
                ErrorMessage = invalid,
            };
            if (invalid is null)
            {
                valid.Add(filters[i]);
            }
        }
        if (valid.Count > 0)
        {
            IReadOnlyList<IReadOnlyList<AclBinding>> matched;
            try
            {
                matched = authorizer.Delete(valid);
            }
            catch (IOException e)
            {
                foreach (var result in results.Where(r => r.ErrorCode == 0))
                {
                    (result.ErrorCode, result.ErrorMessage) = ((short)ErrorCode.UnknownServerError, "Could not store the ACLs: " + e.Message);
                }
                response.FilterResults.AddRange(results);
                return ValueTask.FromResult<DeleteAclsResponse?>(response);
            }
            int next = 0;
            foreach (var result in results.Where(r => r.ErrorCode == 0))
            {
                foreach (AclBinding b in matched[next++])
                {
                    result.MatchingAcls.Add(new DeleteAclsResponse.DeleteAclsMatchingAcl
                    {
                        ResourceType = (sbyte)b.Pattern.Type,
                        ResourceName = b.Pattern.Name,
                        PatternType = (sbyte)b.Pattern.PatternType,
                        Principal = b.Entry.Principal,
                        Host = b.Entry.Host,
                        Operation = (sbyte)b.Entry.Operation,
                        PermissionType = (sbyte)b.Entry.Permission,
                    });
                }
            }
        }
        response.FilterResults.AddRange(results);
        return ValueTask.FromResult<DeleteAclsResponse?>(response);
    }
}
