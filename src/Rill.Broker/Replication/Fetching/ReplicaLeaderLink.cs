using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication.Fetching;

/// <summary>
/// What a fetcher sends to its source broker: Fetch and OffsetForLeaderEpoch, one at a time. In production a
/// <see cref="ReplicaChannel"/> (one connection on the inter-broker listener); tests answer from a script.
/// </summary>
internal interface IReplicaLeaderLink : IAsyncDisposable
{
    Task<FetchResponse> FetchAsync(FetchRequest request, CancellationToken cancellationToken);

    Task<OffsetForLeaderEpochResponse> OffsetForLeaderEpochAsync(OffsetForLeaderEpochRequest request, CancellationToken cancellationToken);
}

/// <summary>The production link: one <see cref="ReplicaChannel"/> to the leader; Fetch v11 and OffsetForLeaderEpoch v4.</summary>
internal sealed class ReplicaChannelLink : IReplicaLeaderLink
{
    public const short FetchVersion = 11;
    public const short OffsetForLeaderEpochVersion = 4;
    private readonly ReplicaChannel _channel;
    private readonly TimeSpan _fetchTimeout;

    private ReplicaChannelLink(ReplicaChannel channel, TimeSpan fetchTimeout)
    {
        _channel = channel;
        _fetchTimeout = fetchTimeout;
    }

    public static async Task<IReplicaLeaderLink> ConnectAsync(Rill.Cluster.BrokerInfo leader, InterBrokerSecurity security, int self,
        ReplicaFetcherSettings settings, CancellationToken cancellationToken)
    {
        ReplicaChannel channel = await ReplicaChannel.ConnectAsync(leader, security, self, cancellationToken).ConfigureAwait(false);
        // A fetch may be parked for replica.fetch.wait.max.ms; 10 s more is a dead connection (replica.socket.timeout.ms is 30 s in Kafka).
        return new ReplicaChannelLink(channel, TimeSpan.FromMilliseconds(settings.WaitMaxMs) + TimeSpan.FromSeconds(10));
    }

    public Task<FetchResponse> FetchAsync(FetchRequest request, CancellationToken cancellationToken)
        => _channel.SendAsync<FetchResponse>(ApiKey.Fetch, FetchVersion, request, _fetchTimeout, cancellationToken);

    public Task<OffsetForLeaderEpochResponse> OffsetForLeaderEpochAsync(OffsetForLeaderEpochRequest request, CancellationToken cancellationToken)
        => _channel.SendAsync<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, OffsetForLeaderEpochVersion, request,
            TimeSpan.FromSeconds(10), cancellationToken);

    public ValueTask DisposeAsync() => _channel.DisposeAsync();
}
