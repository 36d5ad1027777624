using Rill.Broker.WebConsole;

namespace Rill.Broker.Clustering.Security;

/// <summary>The console's session key and revoked sessions in the cluster metadata store: one key per entry (<c>key</c>, <c>revoked/{id}</c>).</summary>
internal sealed class ClusterConsoleSessionStorage(ClusterEntrySet set) : IConsoleSessionStorage
{
    public IReadOnlyDictionary<string, byte[]> Load() => set.Attached ? set.Load() : new Dictionary<string, byte[]>(StringComparer.Ordinal);

    public void Save(IReadOnlyDictionary<string, byte[]> entries) => set.Save(entries);
}
