using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>SyncGroup (key 14), v0-5: followers wait for the leader's assignment; the leader's completes the round.</summary>
internal sealed class SyncGroupHandler : ApiHandler<SyncGroupRequest, SyncGroupResponse>
{
    private readonly KafkaBroker _broker;

    public SyncGroupHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.SyncGroup;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override async ValueTask<SyncGroupResponse?> HandleAsync(RequestContext context, SyncGroupRequest request)
    {
        if (!_broker.Authorizer.Allows(context, AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new SyncGroupResponse { ErrorCode = (short)ErrorCode.GroupAuthorizationFailed, Assignment = ReadOnlyMemory<byte>.Empty };
        }
        var assignments = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var a in request.Assignments)
        {
            // Copy: the request buffer goes back to the pool when this request is answered.
            assignments[a.MemberId] = a.Assignment.ToArray();
        }
        var result = await _broker.Groups.SyncAsync(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId, assignments)
            .WaitAsync(context.Aborted).ConfigureAwait(false);
        return new SyncGroupResponse
        {
            ErrorCode = (short)result.Error,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName,
            Assignment = result.Assignment,
        };
    }
}
