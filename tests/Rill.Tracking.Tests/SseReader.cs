using System.Text.Json;
using System.Threading.Channels;

namespace Rill.Tracking.Tests;

/// <summary>Reads a Server-Sent Events stream in the background; events arrive in <see cref="Events"/>.</summary>
public sealed class SseReader : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly Channel<(string Name, JsonElement Data)> _events = Channel.CreateUnbounded<(string, JsonElement)>();
    private readonly Task _loop;

    private SseReader(HttpResponseMessage response)
    {
        Response = response;
        _loop = ReadAsync(response);
    }

    public HttpResponseMessage Response { get; }

    public static async Task<SseReader> OpenAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseReader(response);
    }

    private async Task ReadAsync(HttpResponseMessage response)
    {
        try
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_cts.Token));
            string? name = null;
            while (await reader.ReadLineAsync(_cts.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
                {
                    _events.Writer.TryWrite((name, JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone()));
                    name = null;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    /// <summary>The next event with this name (others are skipped and returned in <paramref name="skipped"/>).</summary>
    public async Task<JsonElement> NextAsync(string name, List<(string Name, JsonElement Data)>? skipped = null, int timeoutMs = 20_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        while (true)
        {
            var e = await _events.Reader.ReadAsync(cts.Token);
            if (e.Name == name)
            {
                return e.Data;
            }
            skipped?.Add(e);
        }
    }

    /// <summary>Everything received so far.</summary>
    public List<(string Name, JsonElement Data)> Drain()
    {
        var list = new List<(string, JsonElement)>();
        while (_events.Reader.TryRead(out var e))
        {
            list.Add(e);
        }
        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        Response.Dispose();
        await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        _cts.Dispose();
    }
}
