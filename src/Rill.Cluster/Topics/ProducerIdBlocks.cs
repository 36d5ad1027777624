using System.Globalization;
using System.Text;
using Rill.Cluster.Store;

namespace Rill.Cluster.Topics;

/// <summary>
/// Producer ids unique across the cluster (Kafka's producer id blocks): {prefix}/producer_id_block holds the
/// first id not yet handed out; a broker reserves the next block by a compare-and-swap on it.
/// </summary>
public sealed class ProducerIdBlocks(IMetadataStore store, ClusterKeys keys)
{
    public async Task<long> ReserveAsync(int blockSize, CancellationToken cancellationToken = default)
    {
        string key = keys.Prefix + "/producer_id_block";
        for (int attempt = 0; attempt < 50; attempt++)
        {
            VersionedValue? current = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            long start = current is { } v ? long.Parse(Encoding.UTF8.GetString(v.Value), CultureInfo.InvariantCulture) : 0;
            byte[] next = Encoding.UTF8.GetBytes((start + blockSize).ToString(CultureInfo.InvariantCulture));
            if (await store.TryCommitAsync([new Guard(key, current?.ModRevision ?? 0)], [new Write(key, next)], cancellationToken).ConfigureAwait(false))
            {
                return start;
            }
        }
        throw new InvalidOperationException("Could not reserve a producer id block: the metadata store kept changing.");
    }
}
