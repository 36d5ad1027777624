using System.Security.Cryptography;
using System.Text;
using Rill.Tracking.Hosting;

namespace Rill.Tracking.Auth;

/// <summary>The operator key: `Authorization: Bearer KEY` or `?key=KEY` (EventSource cannot set headers). Not needed in --demo.</summary>
public sealed class OperatorAuth(TrackingOptions options)
{
    public string Key => options.OperatorKey ?? "";

    public bool IsAllowed(HttpContext context)
    {
        if (options.Demo)
        {
            return true;
        }
        string? given = null;
        string auth = context.Request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            given = auth["Bearer ".Length..].Trim();
        }
        else if (context.Request.Query.TryGetValue("key", out var q))
        {
            given = q.ToString();
        }
        return given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(Key));
    }
}

/// <summary>Endpoint filter for operator-only routes: 401 without the key.</summary>
public sealed class OperatorFilter(OperatorAuth auth) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        auth.IsAllowed(context.HttpContext)
            ? next(context)
            : ValueTask.FromResult<object?>(Results.Json(new { error = "operator key required" }, statusCode: StatusCodes.Status401Unauthorized));
}
