using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rill.Broker.WebConsole;
using Rill.Client;

namespace Rill.Server.Http.WebConsole;

/// <summary>
/// The web console's JSON API under <c>/api</c>, a thin HTTP face on <see cref="BrokerConsole"/>
/// (which works through the broker's own topic, config, log and group services). Errors answer
/// <c>{"error": KAFKA_ERROR_NAME, "message": ...}</c> with 400, 404, 409 or 503.
/// </summary>
internal static class ConsoleApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(IEndpointRouteBuilder app, BrokerConsole console, ConsoleAuth auth)
    {
        auth.Map(app);
        RouteGroupBuilder api = app.MapGroup("/api");
        api.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (ConsoleException e)
            {
                return Results.Json(new ConsoleError(e.Error, e.Message), Json, statusCode: e.Status);
            }
            catch (Exception e) when (e is JsonException or BadHttpRequestException or FormatException or InvalidDataException)
            {
                return Results.Json(new ConsoleError("INVALID_REQUEST", e.Message), Json, statusCode: 400);
            }
        });
        api.AddEndpointFilter(auth.Filter);

        // Not (HttpContext) alone: an async lambda of one HttpContext binds as a RequestDelegate and its result is dropped.
        api.MapGet("/cluster", async (HttpRequest request) => Ok(await console.OverviewAsync(C(request.HttpContext)).ConfigureAwait(false)));
        api.MapGet("/live", (long? since) => Ok(console.Live(since ?? 0)));

        api.MapGet("/topics", (HttpContext http, int? offset, int? limit, string? q, bool? @internal, string? sort)
            => Ok(console.Topics(C(http), offset ?? 0, limit ?? 50, q, @internal ?? false, sort)));
        api.MapPost("/topics", async (HttpRequest request) =>
            Results.Json(console.CreateTopic(C(request.HttpContext), await Body<CreateTopicRequest>(request).ConfigureAwait(false)), Json, statusCode: 201));
        api.MapGet("/topics/{name}", (HttpContext http, string name) => Ok(console.Topic(C(http), name)));
        api.MapDelete("/topics/{name}", (HttpContext http, string name) =>
        {
            console.DeleteTopic(C(http), name);
            return Results.NoContent();
        });
        api.MapGet("/topics/{name}/configs", (HttpContext http, string name) => Ok(console.TopicConfigs(C(http), name)));
        api.MapPut("/topics/{name}/configs", async (string name, HttpRequest request) =>
        {
            console.AlterTopicConfigs(C(request.HttpContext), name, await Body<ConfigChangeRequest>(request).ConfigureAwait(false));
            return Ok(console.TopicConfigs(C(request.HttpContext), name));
        });
        api.MapGet("/topics/{name}/messages", (HttpContext http, string name, int? partition, string? from, long? offset, long? timestamp, int? limit)
            => Ok(console.Messages(C(http), name, new MessageQuery(partition ?? -1, from ?? "newest", offset, timestamp, limit ?? 50))));
        api.MapPost("/topics/{name}/messages", async (string name, HttpRequest request) =>
        {
            var body = await Body<ProduceMessageRequest>(request).ConfigureAwait(false);
            int count = console.PartitionCount(C(request.HttpContext), name);
            int partition = body.Partition ?? (body.Key is { } key
                ? Murmur2Partitioner.Partition(System.Text.Encoding.UTF8.GetBytes(key), count)
                : Random.Shared.Next(count));
            return Results.Json(console.Produce(C(request.HttpContext), name, partition, body), Json, statusCode: 201);
        });
        api.MapGet("/topics/{name}/search", (HttpContext http, string name, int? partition, long? from, string? key, string? value, int? limit,
            long? budgetBytes, int? budgetMs, string? cursor) =>
            Ok(console.Search(C(http), name, new SearchQuery(partition ?? -1, from, key, value, limit ?? 50, budgetBytes ?? 256L << 20, budgetMs ?? 1000),
                ParseCursor(cursor))));

        api.MapGet("/groups", async (HttpContext http, int? offset, int? limit, string? q)
            => Ok(await console.GroupsAsync(C(http), offset ?? 0, limit ?? 50, q).ConfigureAwait(false)));
        api.MapGet("/groups/{id}", async (HttpContext http, string id) => Ok(await console.GroupAsync(C(http), id).ConfigureAwait(false)));
        api.MapGet("/groups/{id}/lag-history", (HttpContext http, string id) => Ok(console.LagHistory(C(http), id)));
        api.MapPost("/groups/{id}/reset-offsets", async (string id, HttpRequest request) =>
            Ok(await console.ResetOffsetsAsync(C(request.HttpContext), id, await Body<ResetOffsetsRequest>(request).ConfigureAwait(false)).ConfigureAwait(false)));

        api.MapGet("/broker/configs", (HttpContext http) => Ok(console.BrokerConfigs(C(http))));
        api.MapPut("/broker/configs", async (HttpRequest request) =>
        {
            console.AlterBrokerConfigs(C(request.HttpContext), await Body<ConfigChangeRequest>(request).ConfigureAwait(false));
            return Ok(console.BrokerConfigs(C(request.HttpContext)));
        });

        api.MapGet("/acls", (HttpContext http) => Ok(console.Acls(C(http))));
        api.MapPost("/acls", async (HttpRequest request) =>
        {
            console.CreateAcl(C(request.HttpContext), await Body<AclEntry>(request).ConfigureAwait(false));
            return Results.Json(console.Acls(C(request.HttpContext)), Json, statusCode: 201);
        });
        // DELETE with a body is legal but poorly supported by proxies: a POST names the ACL to remove.
        api.MapPost("/acls/delete", async (HttpRequest request) =>
        {
            console.DeleteAcl(C(request.HttpContext), await Body<AclEntry>(request).ConfigureAwait(false));
            return Ok(console.Acls(C(request.HttpContext)));
        });
        api.MapGet("/users", (HttpContext http) => Ok(console.ScramUsers(C(http))));
        api.MapPut("/users/{name}", async (string name, HttpRequest request) =>
        {
            console.SetScramPassword(C(request.HttpContext), name, await Body<ScramPasswordRequest>(request).ConfigureAwait(false));
            return Ok(console.ScramUsers(C(request.HttpContext)));
        });
        api.MapDelete("/users/{name}", (HttpContext http, string name) =>
        {
            console.DeleteScramUser(C(http), name);
            return Results.NoContent();
        });
    }

    private static IResult Ok<T>(T value) => Results.Json(value, Json);

    private static ConsoleCaller C(HttpContext http) => ConsoleAuth.Caller(http);

    private static async Task<T> Body<T>(HttpRequest request)
    {
        try
        {
            return await request.ReadFromJsonAsync<T>(Json).ConfigureAwait(false) ?? throw ConsoleException.Bad("The request needs a JSON body.");
        }
        catch (InvalidOperationException e)
        {
            throw ConsoleException.Bad(e.Message);
        }
    }

    /// <summary>"partition:next:end,..." as a search answer's positions spell it.</summary>
    private static List<SearchPosition>? ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        return cursor.Split(',').Select(part =>
        {
            string[] f = part.Split(':');
            if (f.Length != 3)
            {
                throw ConsoleException.Bad($"Bad search cursor '{part}': expected partition:next:end.");
            }
            long next = long.Parse(f[1], CultureInfo.InvariantCulture);
            return new SearchPosition(int.Parse(f[0], CultureInfo.InvariantCulture), next, next, long.Parse(f[2], CultureInfo.InvariantCulture));
        }).ToList();
    }
}
