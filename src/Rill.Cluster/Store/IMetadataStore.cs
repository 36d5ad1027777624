namespace Rill.Cluster.Store;

/// <summary>A key's value and the store revision that last modified it (0: the key does not exist).</summary>
public readonly record struct VersionedValue(string Key, byte[] Value, long ModRevision);

/// <summary>One change seen by a watch, in store revision order. Value is empty for a delete.</summary>
public readonly record struct MetadataChange(string Key, byte[] Value, long ModRevision, bool Deleted);

/// <summary>A condition of a transaction: the key's mod revision must equal ExpectedModRevision (0: the key must not exist).</summary>
public readonly record struct Guard(string Key, long ExpectedModRevision);

/// <summary>A write of a transaction; Value null deletes the key. LeaseId 0 writes without a lease.</summary>
public readonly record struct Write(string Key, byte[]? Value, long LeaseId = 0);

/// <summary>
/// The small interface Rill keeps its cluster metadata behind (etcd today; another consensus store
/// could replace it). Every change is a compare-and-swap on key revisions; watches deliver changes in
/// revision order; leases expire keys of a process that stopped renewing them.
/// </summary>
public interface IMetadataStore : IAsyncDisposable
{
    /// <summary>The key, or null when it does not exist. Linearizable (a read through the store's quorum).</summary>
    Task<VersionedValue?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every key under the prefix, and the store revision the listing was taken at.</summary>
    Task<(IReadOnlyList<VersionedValue> Values, long Revision)> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Applies every write when every guard holds, atomically; false (and nothing written) otherwise.</summary>
    Task<bool> TryCommitAsync(IReadOnlyList<Guard> guards, IReadOnlyList<Write> writes, CancellationToken cancellationToken = default);

    /// <summary>A lease of the given time to live, renewed in the background until disposed (then revoked).</summary>
    Task<IMetadataLease> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Changes under the prefix after <paramref name="afterRevision"/>, in revision order, until cancelled.</summary>
    IAsyncEnumerable<MetadataChange> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken = default);
}

/// <summary>A lease held by this process. Lost completes when the store says the lease is gone (expired).</summary>
public interface IMetadataLease : IAsyncDisposable
{
    long Id { get; }

    /// <summary>Completes when renewal found the lease expired or renewal failed past its time to live.</summary>
    Task Lost { get; }
}
