using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rill.TestKit;

/// <summary>One request to the web console's API of a running broker, with the session cookie and CSRF header by hand.</summary>
public static class ConsoleHttp
{
    /// <summary>Sends the request; returns the status, the JSON body (default when empty) and the session cookie the answer set, if any.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body, string? Cookie)> SendAsync(Uri address, HttpMethod method, string path,
        string? cookie = null, object? body = null, string? csrf = null)
    {
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", "rill_console_session=" + cookie);
        }
        if (csrf is not null)
        {
            request.Headers.Add("X-Rill-Csrf", csrf);
        }
        using HttpResponseMessage response = await http.SendAsync(request);
        string? setCookie = response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => v.Split(';')[0]).FirstOrDefault(v => v.StartsWith("rill_console_session=", StringComparison.Ordinal))?.Split('=', 2)[1]
            : null;
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), setCookie);
    }
}
