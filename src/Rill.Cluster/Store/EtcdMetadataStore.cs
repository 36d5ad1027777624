using System.Runtime.CompilerServices;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Rill.Cluster.Store;

/// <summary>
/// <see cref="IMetadataStore"/> on etcd v3 (gRPC through dotnet-etcd's generated clients). Several
/// endpoints (rill.metadata.etcd.endpoints) are tried in turn when one is unavailable. Reads are
/// etcd's default linearizable reads; writes are transactions guarded on mod revisions.
/// </summary>
public sealed class EtcdMetadataStore : IMetadataStore
{
    private readonly GrpcChannel[] _channels;
    private int _current;

    public EtcdMetadataStore(IReadOnlyList<string> endpoints)
    {
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("at least one etcd endpoint is needed", nameof(endpoints));
        }
        _channels = endpoints.Select(e => GrpcChannel.ForAddress(e.Contains("://", StringComparison.Ordinal) ? e : "http://" + e)).ToArray();
    }

    /// <summary>Parses rill.metadata.etcd.endpoints (comma-separated URLs or host:port).</summary>
    public static IReadOnlyList<string> ParseEndpoints(string value)
        => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private GrpcChannel Channel => _channels[Volatile.Read(ref _current) % _channels.Length];

    private void Rotate(GrpcChannel failed)
    {
        int index = Array.IndexOf(_channels, failed);
        Interlocked.CompareExchange(ref _current, (index + 1) % _channels.Length, index);
    }

    /// <summary>Runs a unary call, moving to the next endpoint when one is unavailable (one pass over all of them).</summary>
    private async Task<T> CallAsync<T>(Func<GrpcChannel, Task<T>> call)
    {
        for (int attempt = 0; ; attempt++)
        {
            GrpcChannel channel = Channel;
            try
            {
                return await call(channel).ConfigureAwait(false);
            }
            catch (RpcException e) when (IsRetriable(e) && attempt < _channels.Length - 1)
            {
                Rotate(channel);
            }
        }
    }

    private static bool IsRetriable(RpcException e)
        => e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal;

    private static CallOptions Options(CancellationToken cancellationToken, TimeSpan? timeout = null)
        => new(deadline: DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5)), cancellationToken: cancellationToken);

    public async Task<VersionedValue?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        RangeResponse response = await CallAsync(c => new KV.KVClient(c)
            .RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(key) }, Options(cancellationToken)).ResponseAsync).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : ToValue(response.Kvs[0]);
    }

    public async Task<(IReadOnlyList<VersionedValue> Values, long Revision)> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        RangeResponse response = await CallAsync(c => new KV.KVClient(c)
            .RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(prefix), RangeEnd = PrefixEnd(prefix) }, Options(cancellationToken)).ResponseAsync)
            .ConfigureAwait(false);
        return (response.Kvs.Select(ToValue).ToArray(), response.Header.Revision);
    }

    public async Task<bool> TryCommitAsync(IReadOnlyList<Guard> guards, IReadOnlyList<Write> writes, CancellationToken cancellationToken = default)
    {
        var request = new TxnRequest();
        foreach (Guard guard in guards)
        {
            request.Compare.Add(new Compare
            {
                Key = ByteString.CopyFromUtf8(guard.Key),
                Target = Compare.Types.CompareTarget.Mod,
                Result = Compare.Types.CompareResult.Equal,
                ModRevision = guard.ExpectedModRevision,
            });
        }
        foreach (Write write in writes)
        {
            request.Success.Add(write.Value is null
                ? new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(write.Key) } }
                : new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(write.Key), Value = ByteString.CopyFrom(write.Value), Lease = write.LeaseId } });
        }
        TxnResponse response = await CallAsync(c => new KV.KVClient(c).TxnAsync(request, Options(cancellationToken)).ResponseAsync).ConfigureAwait(false);
        return response.Succeeded;
    }

    public async Task<IMetadataLease> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        long seconds = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds));
        LeaseGrantResponse granted = await CallAsync(c => new Lease.LeaseClient(c)
            .LeaseGrantAsync(new LeaseGrantRequest { TTL = seconds }, Options(cancellationToken)).ResponseAsync).ConfigureAwait(false);
        return new EtcdLease(this, granted.ID, TimeSpan.FromSeconds(granted.TTL));
    }

    public async IAsyncEnumerable<MetadataChange> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long next = afterRevision + 1;
        while (!cancellationToken.IsCancellationRequested)
        {
            GrpcChannel channel = Channel;
            using AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call =
                new Watch.WatchClient(channel).Watch(cancellationToken: cancellationToken);
            var events = new List<MetadataChange>();
            bool failed = false;
            await call.RequestStream.WriteAsync(new WatchRequest
            {
                CreateRequest = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(prefix), RangeEnd = PrefixEnd(prefix), StartRevision = next },
            }, cancellationToken).ConfigureAwait(false);
            IAsyncEnumerator<WatchResponse> responses = call.ResponseStream.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    events.Clear();
                    try
                    {
                        if (!await responses.MoveNextAsync().ConfigureAwait(false))
                        {
                            failed = true;
                            break;
                        }
                    }
                    catch (RpcException e) when (IsRetriable(e) || e.StatusCode == StatusCode.Cancelled && !cancellationToken.IsCancellationRequested)
                    {
                        failed = true;
                        break;
                    }
                    WatchResponse response = responses.Current;
                    if (response.CompactRevision > 0)
                    {
                        throw new InvalidOperationException($"etcd compacted revision {response.CompactRevision} before the watch from {next} started");
                    }
                    foreach (Mvccpb.Event e in response.Events)
                    {
                        events.Add(new MetadataChange(e.Kv.Key.ToStringUtf8(), e.Kv.Value.ToByteArray(), e.Kv.ModRevision, e.Type == Mvccpb.Event.Types.EventType.Delete));
                    }
                    foreach (MetadataChange change in events)
                    {
                        next = change.ModRevision + 1;
                        yield return change;
                    }
                }
            }
            finally
            {
                await responses.DisposeAsync().ConfigureAwait(false);
            }
            if (failed && !cancellationToken.IsCancellationRequested)
            {
                Rotate(channel);
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (GrpcChannel channel in _channels)
        {
            channel.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private static VersionedValue ToValue(Mvccpb.KeyValue kv) => new(kv.Key.ToStringUtf8(), kv.Value.ToByteArray(), kv.ModRevision);

    /// <summary>etcd's range end for "every key with this prefix": the prefix with its last byte incremented.</summary>
    private static ByteString PrefixEnd(string prefix)
    {
        byte[] end = System.Text.Encoding.UTF8.GetBytes(prefix);
        for (int i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return ByteString.CopyFrom(end, 0, i + 1);
            }
        }
        return ByteString.CopyFrom([0]);
    }

    /// <summary>A lease renewed every third of its TTL over etcd's keep-alive stream, revoked on dispose.</summary>
    private sealed class EtcdLease : IMetadataLease
    {
        private readonly EtcdMetadataStore _store;
        private readonly TimeSpan _ttl;
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _renewal;

        public EtcdLease(EtcdMetadataStore store, long id, TimeSpan ttl)
        {
            _store = store;
            Id = id;
            _ttl = ttl;
            _renewal = Task.Run(RenewAsync);
        }

        public long Id { get; }

        public Task Lost => _lost.Task;

        private async Task RenewAsync()
        {
            DateTime renewed = DateTime.UtcNow;
            TimeSpan interval = TimeSpan.FromMilliseconds(Math.Max(100, _ttl.TotalMilliseconds / 3));
            while (!_stop.IsCancellationRequested)
            {
                GrpcChannel channel = _store.Channel;
                try
                {
                    using AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> call =
                        new Lease.LeaseClient(channel).LeaseKeepAlive(cancellationToken: _stop.Token);
                    while (!_stop.IsCancellationRequested)
                    {
                        await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = Id }, _stop.Token).ConfigureAwait(false);
                        using var reply = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                        reply.CancelAfter(interval * 2);
                        if (!await call.ResponseStream.MoveNext(reply.Token).ConfigureAwait(false))
                        {
                            break;
                        }
                        if (call.ResponseStream.Current.TTL <= 0)
                        {
                            _lost.TrySetResult(); // etcd says the lease has expired: its keys are gone
                            return;
                        }
                        renewed = DateTime.UtcNow;
                        await Task.Delay(interval, _stop.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is RpcException or OperationCanceledException or IOException)
                {
                    _store.Rotate(channel);
                }
                if (DateTime.UtcNow - renewed > _ttl)
                {
                    _lost.TrySetResult();
                    return;
                }
                try
                {
                    await Task.Delay(100, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _renewal.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            try
            {
                await _store.CallAsync(c => new Lease.LeaseClient(c)
                    .LeaseRevokeAsync(new LeaseRevokeRequest { ID = Id }, Options(CancellationToken.None, TimeSpan.FromSeconds(2))).ResponseAsync).ConfigureAwait(false);
            }
            catch (RpcException)
            {
                // the lease expires on its own
            }
            _stop.Dispose();
        }
    }
}
