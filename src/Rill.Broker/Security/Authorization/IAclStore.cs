namespace Rill.Broker.Security.Authorization;

/// <summary>
/// Where ACLs live between restarts. Today a file in the data dir (<see cref="FileAclStore"/>); a cluster
/// metadata store can implement the same two calls later.
/// </summary>
public interface IAclStore
{
    IReadOnlyList<AclBinding> Load();

    /// <summary>Replaces the stored set with <paramref name="bindings"/>, durably, before returning.</summary>
    void Save(IReadOnlyCollection<AclBinding> bindings);
}

/// <summary>An ACL store that keeps nothing (tests, brokers without a data dir).</summary>
public sealed class InMemoryAclStore : IAclStore
{
    private AclBinding[] _saved = [];

    public IReadOnlyList<AclBinding> Load() => _saved;

    public void Save(IReadOnlyCollection<AclBinding> bindings) => _saved = [.. bindings];
}
