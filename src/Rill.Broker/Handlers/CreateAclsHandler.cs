using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// CreateAcls (key 30), v0-3 (v0 bindings are LITERAL). Needs ALTER on the cluster
/// (CLUSTER_AUTHORIZATION_FAILED for every creation otherwise); without an authorizer every creation
/// answers SECURITY_DISABLED. An invalid binding (ANY/UNKNOWN type, operation or permission, a MATCH
/// or ANY pattern type, a cluster name other than kafka-cluster, a principal without "Type:")
/// answers INVALID_REQUEST for that creation only. Creating an existing binding succeeds.
/// </summary>
internal sealed class CreateAclsHandler : ApiHandler<CreateAclsRequest, CreateAclsResponse>
{
    private readonly KafkaBroker _broker;

    public CreateAclsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.CreateAcls;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override ValueTask<CreateAclsResponse?> HandleAsync(RequestContext context, CreateAclsRequest request)
    {
        var response = new CreateAclsResponse();
        AclAuthorizer authorizer = _broker.Authorizer;
        (ErrorCode refused, string? why) = !authorizer.Enabled
            ? (ErrorCode.SecurityDisabled, "No Authorizer is configured on the broker")
            : !authorizer.AllowsCluster(context, AclOperation.Alter)
                ? (ErrorCode.ClusterAuthorizationFailed, "Cluster authorization failed: CreateAcls needs ALTER on the cluster")
                : (ErrorCode.None, null);
        if (refused != ErrorCode.None)
        {
            foreach (var _ in request.Creations)
            {
                response.Results.Add(new CreateAclsResponse.AclCreationResult { ErrorCode = (short)refused, ErrorMessage = why });
            }
            return ValueTask.FromResult<CreateAclsResponse?>(response);
        }

        var bindings = request.Creations.Select(c => new AclBinding(
            new ResourcePattern((AclResourceType)c.ResourceType, c.ResourceName, (AclPatternType)c.ResourcePatternType),
            new AccessControlEntry(c.Principal, c.Host, (AclOperation)c.Operation, (AclPermissionType)c.PermissionType))).ToList();
        IReadOnlyList<string?> errors;
        try
        {
            errors = authorizer.Create(bindings);
        }
        catch (IOException e)
        {
            errors = bindings.Select(_ => (string?)("Could not store the ACLs: " + e.Message)).ToList();
            foreach (string? message in errors)
            {
                response.Results.Add(new CreateAclsResponse.AclCreationResult { ErrorCode = (short)ErrorCode.UnknownServerError, ErrorMessage = message });
            }
            return ValueTask.FromResult<CreateAclsResponse?>(response);
        }
        foreach (string? error in errors)
        {
            response.Results.Add(new CreateAclsResponse.AclCreationResult
            {
                ErrorCode = (short)(error is null ? ErrorCode.None : ErrorCode.InvalidRequest),
                ErrorMessage = error,
            });
        }
        return ValueTask.FromResult<CreateAclsResponse?>(response);
    }
}
