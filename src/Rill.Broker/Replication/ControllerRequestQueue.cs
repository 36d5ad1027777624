using System.Text.Json;
using Microsoft.Extensions.Logging;
using Rill.Cluster.Store;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication;

/// <summary>
/// How an operator request that the active controller must execute (ElectLeaders, AlterPartitionReassignments)
/// reaches it from whichever broker received it: through etcd, not a broker-to-broker connection. The broker
/// writes {prefix}/controller_requests/{id} = the request (API key, version, wire bytes) under its session
/// lease (so an abandoned request goes with the broker); the controller picks the queue up every tick,
/// executes each request and, in one transaction fenced by its controller epoch, deletes it and writes the
/// wire answer to {prefix}/controller_responses/{id} under the asker's lease; the asker polls that key,
/// reads the answer and deletes it. The request is authorized by the broker that received it (with the
/// client's principal); a controller change in between only delays it (the next controller finds the queue).
/// When the receiving broker is itself the controller it executes at once.
/// </summary>
internal sealed class ControllerRequestQueue
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);
    private readonly ReplicaManager _replicas;
    private readonly ControllerOperations _operations;
    private readonly ILogger _log;

    public ControllerRequestQueue(ReplicaManager replicas, ControllerOperations operations, ILogger log)
    {
        _replicas = replicas;
        _operations = operations;
        _log = log;
    }

    private sealed record QueuedRequest(short ApiKey, short Version, byte[] Body, long LeaseId);

    /// <summary>Executes <paramref name="request"/> on the active controller and returns its answer (TimeoutException after <paramref name="timeout"/>).</summary>
    public async Task<TResponse> SubmitAsync<TResponse>(ApiKey key, short version, IApiMessage request, TimeSpan timeout, CancellationToken cancellationToken)
        where TResponse : IApiMessage, new()
    {
        if (_replicas.Member.IsController)
        {
            try
            {
                return (TResponse)await ExecuteAsync(key, version, request, cancellationToken).ConfigureAwait(false);
            }
            catch (NotControllerException)
            {
                // lost the role meanwhile: queue it for the next controller
            }
        }
        IMetadataStore store = _replicas.Member.Store;
        string id = Guid.NewGuid().ToString("N");
        string requestKey = _replicas.Member.Keys.ControllerRequestsPrefix + id;
        string responseKey = _replicas.Member.Keys.ControllerResponse(id);
        long lease = _replicas.Member.LeaseId;
        byte[] payload = JsonSerializer.SerializeToUtf8Bytes(new QueuedRequest((short)key, version, Encode(request, version), lease));
        await store.TryCommitAsync([], [new Write(requestKey, payload, lease)], cancellationToken).ConfigureAwait(false);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
            if (await store.GetAsync(responseKey, cancellationToken).ConfigureAwait(false) is { } answer)
            {
                await store.TryCommitAsync([], [new Write(responseKey, null)], CancellationToken.None).ConfigureAwait(false);
                var response = new TResponse();
                var reader = new ProtocolReader(answer.Value);
                response.Read(ref reader, version);
                return response;
            }
        }
        await store.TryCommitAsync([], [new Write(requestKey, null)], CancellationToken.None).ConfigureAwait(false);
        throw new TimeoutException("The active controller did not answer in time.");
    }

    /// <summary>The controller's side, every tick: execute what is queued, answer it, dequeue it (fenced by the controller epoch).</summary>
    public async Task ProcessAsync(CancellationToken cancellationToken)
    {
        IMetadataStore store = _replicas.Member.Store;
        (IReadOnlyList<VersionedValue> queued, _) = await store.ListAsync(_replicas.Member.Keys.ControllerRequestsPrefix, cancellationToken).ConfigureAwait(false);
        foreach (VersionedValue item in queued)
        {
            string id = item.Key[_replicas.Member.Keys.ControllerRequestsPrefix.Length..];
            QueuedRequest? request = null;
            byte[]? answer = null;
            try
            {
                request = JsonSerializer.Deserialize<QueuedRequest>(item.Value);
                if (request is not null)
                {
                    var key = (ApiKey)request.ApiKey;
                    IApiMessage decoded = Decode(key, request.Version, request.Body);
                    answer = Encode(await ExecuteAsync(key, request.Version, decoded, cancellationToken).ConfigureAwait(false), request.Version);
                }
            }
            catch (NotControllerException)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _log.LogWarning("Controller: queued request {Id} failed: {Message}", id, e.Message);
            }
            var writes = new List<Write> { new(item.Key, null) };
            if (answer is not null && request is not null)
            {
                writes.Add(new Write(_replicas.Member.Keys.ControllerResponse(id), answer, request.LeaseId));
            }
            try
            {
                await _replicas.Member.ControllerCommitAsync([new Guard(item.Key, item.ModRevision)], writes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The asker's lease is gone (it stopped): drop the request without an answer.
                _log.LogInformation("Controller: answering queued request {Id} failed ({Message}); dropping it", id, e.Message);
                await _replicas.Member.ControllerCommitAsync([new Guard(item.Key, item.ModRevision)], [new Write(item.Key, null)], cancellationToken)
                    .ConfigureAwait(false);
            }
        }
    }

    private async Task<IApiMessage> ExecuteAsync(ApiKey key, short version, IApiMessage request, CancellationToken cancellationToken) => key switch
    {
        ApiKey.ElectLeaders => await _operations.ElectLeadersAsync((ElectLeadersRequest)request, version, cancellationToken).ConfigureAwait(false),
        ApiKey.AlterPartitionReassignments => await _operations.AlterReassignmentsAsync((AlterPartitionReassignmentsRequest)request, cancellationToken)
            .ConfigureAwait(false),
        _ => throw new NotSupportedException($"{key} is not a controller request."),
    };

    private static IApiMessage Decode(ApiKey key, short version, byte[] body)
    {
        IApiMessage message = key switch
        {
            ApiKey.ElectLeaders => new ElectLeadersRequest(),
            ApiKey.AlterPartitionReassignments => new AlterPartitionReassignmentsRequest(),
            _ => throw new NotSupportedException($"{key} is not a controller request."),
        };
        var reader = new ProtocolReader(body);
        message.Read(ref reader, version);
        return message;
    }

    private static byte[] Encode(IApiMessage message, short version)
    {
        byte[] bytes = new byte[message.ComputeSize(version)];
        var writer = new ProtocolWriter(bytes);
        message.Write(ref writer, version);
        return bytes;
    }
}
