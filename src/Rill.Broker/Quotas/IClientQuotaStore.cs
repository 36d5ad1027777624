namespace Rill.Broker.Quotas;

/// <summary>
/// Where client quota configs live. Today a file in the data directory (<see cref="FileClientQuotaStore"/>);
/// the cluster metadata store can hold them later behind the same interface.
/// </summary>
internal interface IClientQuotaStore
{
    IReadOnlyDictionary<QuotaEntity, IReadOnlyDictionary<string, double>> Load();

    /// <summary>Replaces everything stored with <paramref name="quotas"/>, durably, before returning.</summary>
    void Save(IReadOnlyDictionary<QuotaEntity, IReadOnlyDictionary<string, double>> quotas);
}

/// <summary>A store that keeps nothing (a broker built without a data directory, unit tests).</summary>
internal sealed class InMemoryClientQuotaStore : IClientQuotaStore
{
    private IReadOnlyDictionary<QuotaEntity, IReadOnlyDictionary<string, double>> _saved = new Dictionary<QuotaEntity, IReadOnlyDictionary<string, double>>();

    public IReadOnlyDictionary<QuotaEntity, IReadOnlyDictionary<string, double>> Load() => _saved;

    public void Save(IReadOnlyDictionary<QuotaEntity, IReadOnlyDictionary<string, double>> quotas) => _saved = quotas;
}
