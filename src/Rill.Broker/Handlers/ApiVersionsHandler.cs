using Rill.Broker.Transactions;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// ApiVersions (key 18), v0-4. The answer is built from the handler registry, so the broker
/// advertises exactly what it serves. An unsupported version is answered in v0 with
/// UNSUPPORTED_VERSION and the full list (KIP-511), which is how clients find a version to use.
/// The response header is always v0, even for the flexible versions. v3+ lists the features (KIP-584):
/// transaction.version supported 0-2 and its finalized level (<see cref="TransactionVersionFeature"/>).
/// </summary>
internal sealed class ApiVersionsHandler : ApiHandler<ApiVersionsRequest, ApiVersionsResponse>
{
    private readonly ApiHandlerRegistry _registry;
    private readonly TransactionVersionFeature? _transactionVersion;

    public ApiVersionsHandler(ApiHandlerRegistry registry, TransactionVersionFeature? transactionVersion = null)
    {
        _registry = registry;
        _transactionVersion = transactionVersion;
    }

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
        _transactionVersion?.Describe(response);
        return response;
    }
}
