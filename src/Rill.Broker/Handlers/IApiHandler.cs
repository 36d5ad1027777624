using Rill.Protocol;

namespace Rill.Broker.Handlers;

/// <summary>
/// One Kafka API. Handlers register their key and version range; ApiVersions is built from the
/// registrations, so a handler that is not registered is not advertised.
/// </summary>
internal interface IApiHandler
{
    ApiKey Key { get; }
    short MinVersion { get; }
    short MaxVersion { get; }

    /// <summary>Parses the request body (after the request header). Throws ProtocolException on malformed input.</summary>
    IApiMessage ReadRequest(ref ProtocolReader reader, short version);

    /// <summary>Serves the request. A null response means none is sent (Produce with acks=0).</summary>
    ValueTask<IApiMessage?> HandleAsync(RequestContext context, IApiMessage request);
}

/// <summary>Typed base: parse into <typeparamref name="TRequest"/>, answer with <typeparamref name="TResponse"/>.</summary>
internal abstract class ApiHandler<TRequest, TResponse> : IApiHandler
    where TRequest : class, IApiMessage, new()
    where TResponse : class, IApiMessage
{
    public abstract ApiKey Key { get; }
    public abstract short MinVersion { get; }
    public abstract short MaxVersion { get; }

    public IApiMessage ReadRequest(ref ProtocolReader reader, short version)
    {
        var request = new TRequest();
        request.Read(ref reader, version);
        return request;
    }

    public async ValueTask<IApiMessage?> HandleAsync(RequestContext context, IApiMessage request)
        => await HandleAsync(context, (TRequest)request).ConfigureAwait(false);

    protected abstract ValueTask<TResponse?> HandleAsync(RequestContext context, TRequest request);
}
