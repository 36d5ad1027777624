using System.Security.Cryptography;
using Rill.Client.Network;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Sasl;

namespace Rill.Client;

/// <summary>One stored SCRAM credential: its mechanism and iteration count (KIP-554 never returns salts or keys).</summary>
public sealed record ScramCredentialInfo(ScramMechanism Mechanism, int Iterations);

/// <summary>DescribeUserScramCredentials and AlterUserScramCredentials (KIP-554), as Kafka's Admin API has them.</summary>
public sealed partial class AdminClient
{
    /// <summary>
    /// The SCRAM credentials of <paramref name="users"/> (every user with one when null). A user without
    /// credentials throws RESOURCE_NOT_FOUND, as in Kafka's Admin client.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<ScramCredentialInfo>>> DescribeUserScramCredentialsAsync(
        IEnumerable<string>? users = null, CancellationToken cancellationToken = default)
    {
        BrokerConnection connection = await _cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
        short version = connection.Versions.Pick(ApiKey.DescribeUserScramCredentials);
        var request = new DescribeUserScramCredentialsRequest
        {
            Users = users?.Select(u => new DescribeUserScramCredentialsRequest.UserName { Name = u }).ToList(),
        };
        var response = await connection.SendAsync<DescribeUserScramCredentialsResponse>(ApiKey.DescribeUserScramCredentials, version, request, cancellationToken).ConfigureAwait(false);
        KafkaException.ThrowIfError(response.ErrorCode, "Describe SCRAM credentials", response.ErrorMessage);
        var result = new SortedDictionary<string, IReadOnlyList<ScramCredentialInfo>>(StringComparer.Ordinal);
        foreach (var r in response.Results)
        {
            KafkaException.ThrowIfError(r.ErrorCode, $"Describe SCRAM credentials of {r.User}", r.ErrorMessage);
            result[r.User] = r.CredentialInfos.Select(c => new ScramCredentialInfo((ScramMechanism)c.Mechanism, c.Iterations)).ToList();
        }
        return result;
    }

    /// <summary>
    /// Sets a user's password for a SCRAM mechanism: the salt is random and only the salted password
    /// (PBKDF2 with <paramref name="iterations"/>) goes to the broker.
    /// </summary>
    public Task UpsertUserScramCredentialAsync(string user, ScramMechanism mechanism, string password, int iterations = ScramMechanisms.MinIterations,
        CancellationToken cancellationToken = default)
    {
        byte[] salt = RandomNumberGenerator.GetBytes(32);
        var upsertion = new AlterUserScramCredentialsRequest.ScramCredentialUpsertion
        {
            Name = user, Mechanism = (sbyte)mechanism, Iterations = iterations, Salt = salt,
            SaltedPassword = mechanism == ScramMechanism.Unknown ? Array.Empty<byte>() : ScramFunctions.SaltedPassword(mechanism, password, salt, iterations),
        };
        return AlterAsync(new AlterUserScramCredentialsRequest { Upsertions = [upsertion] }, cancellationToken);
    }

    /// <summary>Deletes a user's credential for one SCRAM mechanism (RESOURCE_NOT_FOUND when there is none).</summary>
    public Task DeleteUserScramCredentialAsync(string user, ScramMechanism mechanism, CancellationToken cancellationToken = default)
        => AlterAsync(new AlterUserScramCredentialsRequest
        {
            Deletions = [new AlterUserScramCredentialsRequest.ScramCredentialDeletion { Name = user, Mechanism = (sbyte)mechanism }],
        }, cancellationToken);

    private async Task AlterAsync(AlterUserScramCredentialsRequest request, CancellationToken cancellationToken)
    {
        BrokerConnection connection = await _cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
        short version = connection.Versions.Pick(ApiKey.AlterUserScramCredentials);
        var response = await connection.SendAsync<AlterUserScramCredentialsResponse>(ApiKey.AlterUserScramCredentials, version, request, cancellationToken).ConfigureAwait(false);
        foreach (var r in response.Results)
        {
            KafkaException.ThrowIfError(r.ErrorCode, $"Alter SCRAM credentials of {r.User}", r.ErrorMessage);
        }
    }
}
