using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Sasl;

namespace Rill.Broker.Handlers;

/// <summary>
/// DescribeUserScramCredentials (key 50), v0 (KIP-554): the mechanisms and iteration counts of the
/// users asked for (every user with a credential when the list is null or empty). A user without
/// credentials is RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE, as in Kafka. Salts and
/// keys are never returned. Needs DESCRIBE on the cluster (CLUSTER_AUTHORIZATION_FAILED otherwise).
/// </summary>
internal sealed class DescribeUserScramCredentialsHandler(KafkaBroker broker)
    : ApiHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse>
{
    public override ApiKey Key => ApiKey.DescribeUserScramCredentials;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override ValueTask<DescribeUserScramCredentialsResponse?> HandleAsync(RequestContext context, DescribeUserScramCredentialsRequest request)
    {
        var store = broker.Security.ScramCredentials;
        var response = new DescribeUserScramCredentialsResponse();
        if (!broker.Authorizer.AllowsCluster(context, Security.Authorization.AclOperation.Describe))
        {
            response.ErrorCode = (short)ErrorCode.ClusterAuthorizationFailed;
            response.ErrorMessage = "Not authorized to describe SCRAM credentials (DESCRIBE on the cluster).";
            return ValueTask.FromResult<DescribeUserScramCredentialsResponse?>(response);
        }
        IEnumerable<string> users = request.Users is { Count: > 0 } asked ? asked.Select(u => u.Name) : store.Users();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = request.Users?.GroupBy(u => u.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key)
            .ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (string user in users)
        {
            if (!seen.Add(user))
            {
                continue;
            }
            var result = new DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult { User = user };
            var credentials = store.Describe(user);
            if (duplicates.Contains(user))
            {
                result.ErrorCode = (short)ErrorCode.DuplicateResource;
                result.ErrorMessage = "Cannot describe SCRAM credentials for the same user twice in a single request: " + user;
            }
            else if (credentials.Count == 0)
            {
                result.ErrorCode = (short)ErrorCode.ResourceNotFound;
                result.ErrorMessage = "Attempt to describe nonexistent SCRAM credential for user " + user;
            }
            else
            {
                foreach (var (mechanism, iterations) in credentials)
                {
                    result.CredentialInfos.Add(new DescribeUserScramCredentialsResponse.CredentialInfo { Mechanism = (sbyte)mechanism, Iterations = iterations });
                }
            }
            response.Results.Add(result);
        }
        return ValueTask.FromResult<DescribeUserScramCredentialsResponse?>(response);
    }
}
