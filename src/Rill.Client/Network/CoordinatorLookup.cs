using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client.Network;

/// <summary>
/// Finds (and caches) the broker coordinating a group (key type 0) or a transactional id (key type 1),
/// retrying while the coordinator loads.
/// </summary>
internal sealed class CoordinatorLookup(KafkaCluster cluster, string groupId, sbyte keyType = CoordinatorLookup.Group)
{
    public const sbyte Group = 0;
    public const sbyte Transaction = 1;

    private int _node = -1;

    public void Reset() => _node = -1;

    public async Task<BrokerConnection> GetAsync(CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (_node < 0)
                {
                    BrokerConnection any = await cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
                    short version = any.Versions.Pick(ApiKey.FindCoordinator);
                    var response = await any.SendAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, version,
                        new FindCoordinatorRequest { Key = groupId, KeyType = keyType }, cancellationToken).ConfigureAwait(false);
                    KafkaException.ThrowIfError(response.ErrorCode, $"FindCoordinator for {(keyType == Group ? "group" : "transactional id")} {groupId}", response.ErrorMessage);
                    if (!cluster.Brokers.Any(b => b.NodeId == response.NodeId))
                    {
                        await cluster.RefreshAsync([], cancellationToken).ConfigureAwait(false);
                    }
                    _node = response.NodeId;
                }
                return await cluster.GetConnectionAsync(_node, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable && attempt < 50)
            {
                _node = -1;
                await Task.Delay(Math.Min(1000, 50 * (attempt + 1)), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
