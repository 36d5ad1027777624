using System.Security.Cryptography;
using System.Text.Json;
using Rill.Broker.Quotas;
using Rill.Broker.Security.Authorization;
using Rill.Broker.Security.Scram;

namespace Rill.Broker.Clustering.Security;

/// <summary>
/// ACLs in the cluster metadata store: one key per binding, named by the SHA-256 of its JSON (a binding is
/// its own identity), the value that JSON (the file store's record).
/// </summary>
internal sealed class ClusterAclStore(ClusterEntrySet set) : IAclStore
{
    public IReadOnlyList<AclBinding> Load() =>
        set.Load().Values.Select(v => FileAclStore.FromRecord(JsonSerializer.Deserialize(v, AclStoreJson.Default.AclsFile)!.Acls.Single(), "cluster ACL")).ToList();

    public void Save(IReadOnlyCollection<AclBinding> bindings)
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (AclBinding binding in bindings)
        {
            byte[] value = JsonSerializer.SerializeToUtf8Bytes(new AclsFile(1, [FileAclStore.ToRecord(binding)]), AclStoreJson.Default.AclsFile);
            entries[Convert.ToHexStringLower(SHA256.HashData(value))] = value;
        }
        set.Save(entries);
    }
}

/// <summary>Client quotas in the cluster metadata store: one key per entity (its parts, escaped), the value its quotas as JSON.</summary>
internal sealed class ClusterClientQuotaStore(ClusterEntrySet set) : IClientQuotaStore
{
    public IReadOnlyDictionary<QuotaEntity, IReadOnlyDictionary<string, double>> Load()
    {
        var result = new Dictionary<QuotaEntity, IReadOnlyDictionary<string, double>>();
        foreach (byte[] value in set.Load().Values)
        {
            var file = JsonSerializer.Deserialize(value, ClientQuotasJson.Default.ClientQuotasFile);
            foreach (StoredQuota stored in file?.Quotas ?? [])
            {
                if (FileClientQuotaStore.FromStored(stored) is { } entry)
                {
                    result[entry.Entity] = entry.Values;
                }
            }
        }
        return result;
    }

    public void Save(IReadOnlyDictionary<QuotaEntity, IReadOnlyDictionary<string, double>> quotas) =>
        set.Save(quotas.ToDictionary(q => KeyOf(q.Key),
            q => JsonSerializer.SerializeToUtf8Bytes(new ClientQuotasFile(1, [FileClientQuotaStore.ToStored(q.Key, q.Value)]), ClientQuotasJson.Default.ClientQuotasFile),
            StringComparer.Ordinal));

    /// <summary><c>user=n:alice/client-id=d</c>: a name (escaped) or the default entity, per part.</summary>
    internal static string KeyOf(QuotaEntity entity) =>
        string.Join('/', entity.Parts().Select(p => p.Type + "=" + (p.Name is null ? "d" : "n:" + Uri.EscapeDataString(p.Name))));
}

/// <summary>SCRAM credentials in the cluster metadata store: one key per user and mechanism, the value the credential as JSON.</summary>
internal sealed class ClusterScramCredentialStorage(ClusterEntrySet set) : IScramCredentialStorage
{
    public string Source => "cluster SCRAM credentials";

    public IReadOnlyList<ScramCredentialEntry> Load() =>
        set.Load().Values.SelectMany(v => JsonSerializer.Deserialize(v, ScramCredentialsJson.Default.ScramCredentialsFile)?.Credentials ?? []).ToList();

    public void Save(IReadOnlyList<ScramCredentialEntry> entries) =>
        set.Save(entries.ToDictionary(e => e.Mechanism + "/" + Uri.EscapeDataString(e.User),
            e => JsonSerializer.SerializeToUtf8Bytes(new ScramCredentialsFile(1, [e]), ScramCredentialsJson.Default.ScramCredentialsFile),
            StringComparer.Ordinal));
}
