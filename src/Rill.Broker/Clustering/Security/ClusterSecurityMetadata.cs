using Microsoft.Extensions.Logging;
using Rill.Cluster.Store;

namespace Rill.Broker.Clustering.Security;

/// <summary>
/// In cluster mode (rill.metadata.etcd.endpoints set), SCRAM credentials, ACLs and client quotas live in the
/// cluster metadata store under {prefix}/security/scram/, /acls/ and /quotas/ (and the console's sessions under /console/) instead of the broker's files, so a
/// user, ACL or quota created through any broker applies on every broker and survives restarts of all of them.
/// Each broker lists them when it joins and watches them afterwards; a change seen reloads the owner
/// (credential store, authorizer, quota configs).
/// </summary>
internal sealed class ClusterSecurityMetadata : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public ClusterSecurityMetadata(ILoggerFactory loggerFactory)
    {
        ILogger log = loggerFactory.CreateLogger<ClusterSecurityMetadata>();
        Scram = new ClusterEntrySet("SCRAM credentials", log);
        Acls = new ClusterEntrySet("ACLs", log);
        Quotas = new ClusterEntrySet("client quotas", log);
        ConsoleSessions = new ClusterEntrySet("console sessions", log);
    }

    public ClusterEntrySet Scram { get; }
    public ClusterEntrySet Acls { get; }
    public ClusterEntrySet Quotas { get; }

    /// <summary>The web console's session signing key and revoked sessions (security/console/).</summary>
    public ClusterEntrySet ConsoleSessions { get; }

    public static string Prefix(string clusterPrefix) => clusterPrefix.TrimEnd('/') + "/security/";

    /// <summary>Lists the three kinds under <paramref name="clusterPrefix"/> and starts watching them.</summary>
    public async Task AttachAsync(IMetadataStore store, string clusterPrefix, CancellationToken cancellationToken)
    {
        string prefix = Prefix(clusterPrefix);
        // The watches run until disposal, not until the join's token.
        await Scram.AttachAsync(store, prefix + "scram/", _stop.Token).WaitAsync(cancellationToken).ConfigureAwait(false);
        await Acls.AttachAsync(store, prefix + "acls/", _stop.Token).WaitAsync(cancellationToken).ConfigureAwait(false);
        await Quotas.AttachAsync(store, prefix + "quotas/", _stop.Token).WaitAsync(cancellationToken).ConfigureAwait(false);
        await ConsoleSessions.AttachAsync(store, prefix + "console/", _stop.Token).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Attaches to the store, then points the broker's credential store, authorizer and quota configs at it and reloads them on every change.</summary>
    public async Task BindAsync(KafkaBroker broker, IMetadataStore store, string clusterPrefix, CancellationToken cancellationToken)
    {
        var scram = new ClusterScramCredentialStorage(Scram);
        await AttachAsync(store, clusterPrefix, cancellationToken).ConfigureAwait(false);
        Scram.Changed += () => broker.Security.ScramCredentials.Load(scram);
        Acls.Changed += broker.Authorizer.Load;
        Quotas.Changed += broker.Quotas.Configs.Reload;
        ConsoleSessions.Changed += broker.ConsoleSessions.Reload;
        broker.Security.ScramCredentials.Load(scram);
        broker.Authorizer.Load();
        broker.Quotas.Configs.Reload();
        broker.ConsoleSessions.Reload();
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
