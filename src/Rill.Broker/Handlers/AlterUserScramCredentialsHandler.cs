using Microsoft.Extensions.Logging;
using Rill.Broker.Security.Scram;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Sasl;

namespace Rill.Broker.Handlers;

/// <summary>
/// AlterUserScramCredentials (key 51), v0 (KIP-554): deletes and upserts SCRAM credentials, one
/// result per user. A user with any bad change (empty name, unknown mechanism, iterations outside
/// 4096..16384, an empty salt or a salted password of the wrong length, deleting a credential that
/// does not exist, the same user and mechanism twice) gets its error and none of its changes apply;
/// the other users' changes are applied together and persisted before the response. Existing
/// connections stay authenticated (as in Kafka). Needs ALTER on the cluster: otherwise every user's
/// result is CLUSTER_AUTHORIZATION_FAILED and nothing changes.
/// </summary>
internal sealed class AlterUserScramCredentialsHandler(KafkaBroker broker, ILogger log)
    : ApiHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>
{
    public override ApiKey Key => ApiKey.AlterUserScramCredentials;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override ValueTask<AlterUserScramCredentialsResponse?> HandleAsync(RequestContext context, AlterUserScramCredentialsRequest request)
    {
        ScramCredentialStore store = broker.Security.ScramCredentials;
        if (!broker.Authorizer.AllowsCluster(context, Security.Authorization.AclOperation.Alter))
        {
            var denied = new AlterUserScramCredentialsResponse();
            foreach (string user in request.Deletions.Select(d => d.Name).Concat(request.Upsertions.Select(u => u.Name)).Distinct(StringComparer.Ordinal))
            {
                denied.Results.Add(new AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult
                {
                    User = user,
                    ErrorCode = (short)ErrorCode.ClusterAuthorizationFailed,
                    ErrorMessage = "Not authorized to alter SCRAM credentials (ALTER on the cluster).",
                });
            }
            return ValueTask.FromResult<AlterUserScramCredentialsResponse?>(denied);
        }
        var errors = new Dictionary<string, (ErrorCode, string)>(StringComparer.Ordinal);
        var order = new List<string>();
        var seen = new HashSet<(string, ScramMechanism)>();
        void Error(string user, ErrorCode code, string message) => errors.TryAdd(user, (code, message));
        void Check(string user, sbyte mechanismValue)
        {
            if (!order.Contains(user))
            {
                order.Add(user);
            }
            var mechanism = (ScramMechanism)mechanismValue;
            if (user.Length == 0)
            {
                Error(user, ErrorCode.UnacceptableCredential, "Username must not be empty");
            }
            else if (mechanism is not (ScramMechanism.ScramSha256 or ScramMechanism.ScramSha512))
            {
                Error(user, ErrorCode.UnsupportedSaslMechanism, "Unknown SCRAM mechanism");
            }
            else if (!seen.Add((user, mechanism)))
            {
                Error(user, ErrorCode.DuplicateResource, "A user credential cannot be altered twice in the same request");
            }
        }
        foreach (var deletion in request.Deletions)
        {
            Check(deletion.Name, deletion.Mechanism);
            if (deletion.Name.Length > 0 && store.Find(deletion.Name, (ScramMechanism)deletion.Mechanism) is null)
            {
                Error(deletion.Name, ErrorCode.ResourceNotFound, "Attempt to delete a user credential that does not exist");
            }
        }
        foreach (var upsertion in request.Upsertions)
        {
            Check(upsertion.Name, upsertion.Mechanism);
            var mechanism = (ScramMechanism)upsertion.Mechanism;
            int hashSize = mechanism == ScramMechanism.ScramSha512 ? 64 : 32;
            if (upsertion.Iterations < ScramMechanisms.MinIterations)
            {
                Error(upsertion.Name, ErrorCode.UnacceptableCredential, $"Too few iterations (minimum {ScramMechanisms.MinIterations})");
            }
            else if (upsertion.Iterations > ScramMechanisms.MaxIterations)
            {
                Error(upsertion.Name, ErrorCode.UnacceptableCredential, $"Too many iterations (maximum {ScramMechanisms.MaxIterations})");
            }
            else if (upsertion.Salt.Length == 0 || upsertion.SaltedPassword.Length != hashSize)
            {
                Error(upsertion.Name, ErrorCode.UnacceptableCredential, "Salt must not be empty and the salted password must be one hash long");
            }
        }
        var deletions = request.Deletions.Where(d => !errors.ContainsKey(d.Name))
            .Select(d => (d.Name, (ScramMechanism)d.Mechanism)).ToList();
        var upserts = request.Upsertions.Where(u => !errors.ContainsKey(u.Name))
            .Select(u => (u.Name, (ScramMechanism)u.Mechanism,
                ScramCredential.FromSaltedPassword((ScramMechanism)u.Mechanism, u.Salt.ToArray(), u.SaltedPassword.ToArray(), u.Iterations)))
            .ToList();
        var response = new AlterUserScramCredentialsResponse();
        try
        {
            if (deletions.Count + upserts.Count > 0)
            {
                store.Apply(deletions, upserts);
                log.LogInformation("SCRAM credentials altered from {Remote}: {Deleted} deleted, {Upserted} upserted ({Users})",
                    context.RemoteEndPoint, deletions.Count, upserts.Count, string.Join(",", deletions.Select(d => d.Name).Concat(upserts.Select(u => u.Name)).Distinct()));
            }
        }
        catch (IOException e)
        {
            foreach (string user in order)
            {
                Error(user, ErrorCode.UnknownServerError, "Could not persist SCRAM credentials: " + e.Message);
            }
        }
        foreach (string user in order)
        {
            var result = new AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult { User = user };
            if (errors.TryGetValue(user, out var error))
            {
                result.ErrorCode = (short)error.Item1;
                result.ErrorMessage = error.Item2;
            }
            response.Results.Add(result);
        }
        return ValueTask.FromResult<AlterUserScramCredentialsResponse?>(response);
    }
}
