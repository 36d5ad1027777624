namespace Rill.Protocol;

/// <summary>A response with a top-level throttle_time_ms, which the broker sets when a client quota is exceeded (KIP-219).</summary>
public interface IThrottledResponse : IApiMessage
{
    int ThrottleTimeMs { get; set; }
}
