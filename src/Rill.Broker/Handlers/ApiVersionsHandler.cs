using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// ApiVersions (key 18), v0-4. The answer is built from the handler registry, so the broker
/// advertises exactly what it serves. An unsupported version is answered in v0 with
/// UNSUPPORTED_VERSION and the full list (KIP-511), which is how clients find a version to use.
/// The response header is always v0, even for the flexible versions.
/// </summary>
internal sealed class ApiVersionsHandler : ApiHandler<ApiVersionsRequest, ApiVersionsResponse>
{
    private readonly ApiHandlerRegistry _registry;

    public ApiVersionsHandler(ApiHandlerRegistry registry) => _registry = registry;

    public override ApiKey Key => ApiKey.ApiVersions;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override ValueTask<ApiVersionsResponse?> HandleAsync(RequestContext context, ApiVersionsRequest request)
        => ValueTask.FromResult<ApiVersionsResponse?>(Build(ErrorCode.None));

    public ApiVersionsResponse UnsupportedVersionResponse() => Build(ErrorCode.UnsupportedVersion);

    private ApiVersionsResponse Build(ErrorCode error)
    {
        var response = new ApiVersionsResponse { ErrorCode = (short)error };
        foreach (IApiHandler handler in _registry.All)
        {
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion
            {
                ApiKey = (short)handler.Key,
                MinVersion = handler.MinVersion,
                MaxVersion = handler.MaxVersion,
            });
        }
        return response;
    }
}
