using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rill.Tracking.City;

namespace Rill.Tracking.Simulator.Api;

/// <summary>The app's HTTP API (apps/Rill.Tracking/README.md) as the simulator uses it, with the operator key.</summary>
sealed class AppClient : IDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    readonly HttpClient _http;

    public AppClient(Uri baseUri, string? operatorKey, int maxConnections = 64)
    {
        BaseUri = baseUri;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = maxConnections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseUri,
            Timeout = TimeSpan.FromSeconds(60),
        };
        if (!string.IsNullOrEmpty(operatorKey))
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", operatorKey);
        OperatorKey = operatorKey;
    }

    public Uri BaseUri { get; }
    public string? OperatorKey { get; }

    /// <summary>Polls GET /health until it answers 200.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var until = DateTime.UtcNow + timeout;
        string last = "no answer";
        while (DateTime.UtcNow < until)
        {
            try
            {
                using var r = await _http.GetAsync("health", ct);
                if (r.IsSuccessStatusCode) return;
                last = ((int)r.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException e) { last = e.Message; }
            await Task.Delay(250, ct);
        }
        throw new TimeoutException($"{BaseUri}health did not answer 200 within {timeout.TotalSeconds:F0} s (last: {last}).");
    }

    public async Task<string> CreateRiderAsync(string riderId, string region, CancellationToken ct = default)
    {
        var answer = await PostAsync<TokenAnswer>("api/riders", new { riderId, region }, ct);
        return answer.Token ?? throw new InvalidOperationException("POST /api/riders answered without a token.");
    }

    public Task<OrderAnswer> CreateOrderAsync(string orderId, string riderId, Restaurant restaurant, GeoPoint customer,
        CancellationToken ct = default) =>
        PostAsync<OrderAnswer>("api/orders", new
        {
            orderId,
            riderId,
            restaurantId = restaurant.Id,
            restaurant = new { lat = restaurant.Lat, lon = restaurant.Lon },
            customer = new { lat = customer.Lat, lon = customer.Lon },
        }, ct);

    public Task PickedUpAsync(string orderId, CancellationToken ct = default) =>
        PostAsync($"api/orders/{Uri.EscapeDataString(orderId)}/picked-up", ct);

    public Task DeliveredAsync(string orderId, CancellationToken ct = default) =>
        PostAsync($"api/orders/{Uri.EscapeDataString(orderId)}/delivered", ct);

    /// <summary>GET /api/stats as a JSON document (its shape is the app's; see <see cref="AppStats"/>).</summary>
    public async Task<AppStats> GetStatsAsync(CancellationToken ct = default)
    {
        using var r = await _http.GetAsync("api/stats", ct);
        await EnsureSuccess(r, "GET /api/stats");
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync(ct));
        return AppStats.From(doc.RootElement);
    }

    public async Task<IReadOnlyList<HistoryRow>> GetHistoryAsync(string riderId, long fromMs, long toMs, CancellationToken ct = default)
    {
        string url = $"api/riders/{Uri.EscapeDataString(riderId)}/history?from={fromMs}&to={toMs}&limit=100000";
        using var r = await _http.GetAsync(url, ct);
        await EnsureSuccess(r, "GET " + url);
        return await r.Content.ReadFromJsonAsync<List<HistoryRow>>(Json, ct) ?? [];
    }

    /// <summary>Opens the customer's SSE stream of an order (the caller reads and disposes the response).</summary>
    public async Task<HttpResponseMessage> OpenOrderStreamAsync(HttpClient streamClient, string orderId, string customerToken, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get,
            new Uri(BaseUri, $"api/orders/{Uri.EscapeDataString(orderId)}/stream?token={Uri.EscapeDataString(customerToken)}"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var r = await streamClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccess(r, "GET order stream");
        return r;
    }

    async Task<T> PostAsync<T>(string path, object body, CancellationToken ct)
    {
        using var r = await _http.PostAsJsonAsync(path, body, Json, ct);
        await EnsureSuccess(r, "POST /" + path);
        return await r.Content.ReadFromJsonAsync<T>(Json, ct)
            ?? throw new InvalidOperationException($"POST /{path} answered with an empty body.");
    }

    async Task PostAsync(string path, CancellationToken ct)
    {
        using var r = await _http.PostAsync(path, null, ct);
        await EnsureSuccess(r, "POST /" + path);
    }

    static async Task EnsureSuccess(HttpResponseMessage r, string what)
    {
        if (r.IsSuccessStatusCode) return;
        string body = await r.Content.ReadAsStringAsync();
        throw new HttpRequestException($"{what} answered {(int)r.StatusCode}: {body[..Math.Min(300, body.Length)]}", null, r.StatusCode);
    }

    public void Dispose() => _http.Dispose();

    sealed record TokenAnswer(string? Token);
}

sealed record OrderAnswer(string? TrackingUrl, string CustomerToken);

sealed record HistoryRow(string RiderId, string? OrderId, double Lat, double Lon, long Ts, double? SpeedMps, double? Heading, long? Seq);

/// <summary>
/// What the simulator reads from GET /api/stats: total acked, errors by reason, lag per consumer group, and (when the
/// app reports them) records processed per group.
/// </summary>
sealed record AppStats(double IngestPerSecond, long Acked, IReadOnlyDictionary<string, long> Errors,
    IReadOnlyDictionary<string, long> Lag, IReadOnlyDictionary<string, long> Processed)
{
    public static AppStats From(JsonElement e)
    {
        static Dictionary<string, long> Map(JsonElement root, string name)
        {
            var d = new Dictionary<string, long>(StringComparer.Ordinal);
            if (root.TryGetProperty(name, out var obj) && obj.ValueKind == JsonValueKind.Object)
                foreach (var p in obj.EnumerateObject())
                    if (p.Value.ValueKind == JsonValueKind.Number) d[p.Name] = p.Value.GetInt64();
            return d;
        }
        double rate = e.TryGetProperty("ingestPerSecond", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetDouble() : 0;
        long acked = e.TryGetProperty("acked", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetInt64() : 0;
        var processed = Map(e, "processed");
        if (processed.Count == 0) processed = Map(e, "consumed");
        return new AppStats(rate, acked, Map(e, "errors"), Map(e, "lag"), processed);
    }

    public long TotalLag => Lag.Values.Sum();
}
