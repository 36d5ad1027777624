using Rill.Protocol;

namespace Rill.Client.Network;

/// <summary>A request waiting for its response: parses the frame with the version it was sent with.</summary>
internal abstract class PendingRequest
{
    public int CorrelationId;
    public ApiKey ApiKey;
    public short Version;
    public long DeadlineTicks;

    public abstract void Complete(byte[] frame);

    public abstract void Fail(Exception error);
}

internal sealed class PendingRequest<T> : PendingRequest where T : IApiMessage, new()
{
    public PendingRequest(bool inline)
    {
        Completion = new(inline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Inline completions run the awaiting code on the connection's reader (in response order).</summary>
    public readonly TaskCompletionSource<T> Completion;

    public override void Complete(byte[] frame)
    {
        try
        {
            var reader = new ProtocolReader(frame);
            var header = new ResponseHeader();
            header.Read(ref reader, ApiMessageVersions.ResponseHeaderVersion(ApiKey, Version));
            var response = new T();
            response.Read(ref reader, Version);
            Completion.TrySetResult(response);
        }
        catch (Exception e)
        {
            Completion.TrySetException(new KafkaException(ErrorCode.CorruptMessage, $"Cannot parse the {ApiKey} v{Version} response: {e.Message}", e));
        }
    }

    public override void Fail(Exception error) => Completion.TrySetException(error);
}
