namespace Rill.Broker.Config;

public sealed partial class BrokerConfig
{
    /// <summary>max.incremental.fetch.session.cache.slots: how many fetch sessions (KIP-227) the broker keeps (0: none).</summary>
    public int MaxIncrementalFetchSessionCacheSlots => GetInt("max.incremental.fetch.session.cache.slots");
}
