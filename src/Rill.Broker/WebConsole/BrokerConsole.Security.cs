using System.Security.Cryptography;
using Rill.Broker.Security.Authorization;
using Rill.Broker.Security.Scram;
using Rill.Protocol;
using Rill.Protocol.Sasl;

namespace Rill.Broker.WebConsole;

/// <summary>
/// The ACLs &amp; users page: ACLs through the broker's <see cref="AclAuthorizer"/> (as DescribeAcls,
/// CreateAcls, DeleteAcls: DESCRIBE / ALTER on the cluster) and SCRAM users through its credential
/// store (as DescribeUserScramCredentials / AlterUserScramCredentials: DESCRIBE / ALTER on the cluster).
/// </summary>
public sealed partial class BrokerConsole
{
    /// <summary>Whether the console asks for a login and what the caller may do on the cluster (the pages hide what it may not).</summary>
    public SessionInfo Session(ConsoleCaller caller, bool loginRequired) => new(caller.Principal, loginRequired, _broker.Authorizer.Enabled,
        Allows(caller, AclOperation.Alter, AclResourceType.Cluster, AclNames.ClusterName),
        Allows(caller, AclOperation.Describe, AclResourceType.Cluster, AclNames.ClusterName));

    /// <summary>True when the broker checks ACLs (authorizer.class.name).</summary>
    public bool AuthorizerEnabled => _broker.Authorizer.Enabled;

    public IReadOnlyList<AclEntry> Acls(ConsoleCaller caller)
    {
        RequireAuthorizer();
        RequireCluster(caller, AclOperation.Describe, "DescribeAcls");
        return _broker.Authorizer.Acls.Select(b => new AclEntry(AclNames.Of(b.Pattern.Type), b.Pattern.Name, AclNames.Of(b.Pattern.PatternType),
                b.Entry.Principal, b.Entry.Host, AclNames.Of(b.Entry.Operation), AclNames.Of(b.Entry.Permission)))
            .OrderBy(a => a.ResourceType, StringComparer.Ordinal).ThenBy(a => a.ResourceName, StringComparer.Ordinal)
            .ThenBy(a => a.Principal, StringComparer.Ordinal).ThenBy(a => a.Operation, StringComparer.Ordinal).ToList();
    }

    public void CreateAcl(ConsoleCaller caller, AclEntry acl)
    {
        RequireAuthorizer();
        RequireCluster(caller, AclOperation.Alter, "CreateAcls");
        AclBinding binding = Binding(acl);
        if (_broker.Authorizer.Create([binding])[0] is { } error)
        {
            throw Failure(ErrorCode.InvalidRequest, error);
        }
    }

    /// <summary>Removes exactly this ACL (a DeleteAcls filter naming every field); 404 when there is none.</summary>
    public void DeleteAcl(ConsoleCaller caller, AclEntry acl)
    {
        RequireAuthorizer();
        RequireCluster(caller, AclOperation.Alter, "DeleteAcls");
        AclBinding b = Binding(acl);
        var filter = new AclBindingFilter(b.Pattern.Type, b.Pattern.Name, b.Pattern.PatternType, b.Entry.Principal, b.Entry.Host,
            b.Entry.Operation, b.Entry.Permission);
        if (_broker.Authorizer.Delete([filter])[0].Count == 0)
        {
            throw ConsoleException.NotFound("No such ACL.");
        }
    }

    public IReadOnlyList<ScramUser> ScramUsers(ConsoleCaller caller)
    {
        RequireCluster(caller, AclOperation.Describe, "DescribeUserScramCredentials");
        ScramCredentialStore store = _broker.Security.ScramCredentials;
        return store.Users().Select(u => new ScramUser(u, store.Describe(u).Select(m => new ScramUserMechanism(m.Mechanism.Name(), m.Iterations)).ToList()))
            .ToList();
    }

    /// <summary>Sets a SCRAM password (a random salt; only StoredKey and ServerKey are kept), as AlterUserScramCredentials upserts.</summary>
    public void SetScramPassword(ConsoleCaller caller, string user, ScramPasswordRequest request)
    {
        RequireCluster(caller, AclOperation.Alter, "AlterUserScramCredentials");
        ScramMechanism mechanism = ScramMechanisms.Parse(request.Mechanism ?? "SCRAM-SHA-512");
        int iterations = request.Iterations ?? 8192;
        if (mechanism == ScramMechanism.Unknown)
        {
            throw Failure(ErrorCode.UnsupportedSaslMechanism, $"Unknown SCRAM mechanism '{request.Mechanism}' (SCRAM-SHA-256 or SCRAM-SHA-512).");
        }
        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(request.Password))
        {
            throw Failure(ErrorCode.UnacceptableCredential, "A SCRAM user needs a name and a password.");
        }
        if (iterations is < ScramMechanisms.MinIterations or > ScramMechanisms.MaxIterations)
        {
            throw Failure(ErrorCode.UnacceptableCredential,
                $"Iterations {iterations} outside {ScramMechanisms.MinIterations}..{ScramMechanisms.MaxIterations}.");
        }
        byte[] salt = RandomNumberGenerator.GetBytes(32);
        byte[] salted = ScramFunctions.SaltedPassword(mechanism, request.Password, salt, iterations);
        _broker.Security.ScramCredentials.Apply([], [(user, mechanism, ScramCredential.FromSaltedPassword(mechanism, salt, salted, iterations))]);
    }

    /// <summary>Removes every SCRAM credential of the user; 404 when it has none.</summary>
    public void DeleteScramUser(ConsoleCaller caller, string user)
    {
        RequireCluster(caller, AclOperation.Alter, "AlterUserScramCredentials");
        ScramCredentialStore store = _broker.Security.ScramCredentials;
        var mechanisms = store.Describe(user);
        if (mechanisms.Count == 0)
        {
            throw Failure(ErrorCode.ResourceNotFound, $"User '{user}' has no SCRAM credentials.");
        }
        store.Apply(mechanisms.Select(m => (user, m.Mechanism)), []);
    }

    private void RequireAuthorizer()
    {
        if (!_broker.Authorizer.Enabled)
        {
            throw new ConsoleException(400, ErrorName(ErrorCode.SecurityDisabled), "No authorizer is configured (authorizer.class.name): there are no ACLs.");
        }
    }

    private static AclBinding Binding(AclEntry a)
    {
        static T Parse<T>(string? text, string what) where T : struct, Enum
            => Enum.TryParse(text?.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out T value)
                ? value : throw ConsoleException.Bad($"Invalid {what} '{text}'.");
        return new AclBinding(
            new ResourcePattern(Parse<AclResourceType>(a.ResourceType, "resource type"), a.ResourceName ?? "",
                Parse<AclPatternType>(a.PatternType ?? "LITERAL", "pattern type")),
            new AccessControlEntry(a.Principal ?? "", a.Host ?? "*", Parse<AclOperation>(a.Operation, "operation"),
                Parse<AclPermissionType>(a.Permission ?? "ALLOW", "permission")));
    }
}

public sealed record SessionInfo(string Principal, bool LoginRequired, bool AuthorizerEnabled, bool CanAlterCluster, bool CanDescribeCluster);

public sealed record AclEntry(string ResourceType, string? ResourceName, string? PatternType, string? Principal, string? Host, string Operation,
    string? Permission);

public sealed record ScramUserMechanism(string Mechanism, int Iterations);

public sealed record ScramUser(string Name, IReadOnlyList<ScramUserMechanism> Mechanisms);

public sealed record ScramPasswordRequest(string? Password, string? Mechanism, int? Iterations);
