using System.Runtime.CompilerServices;
using System.Text;

namespace Rill.Tracking.Simulator.Api;

/// <summary>Reads a text/event-stream: yields (event name, data) per event; comments and ids are skipped.</summary>
static class ServerSentEvents
{
    public static async IAsyncEnumerable<(string Name, string Data)> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string name = "message";
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0) yield return (name, data.ToString());
                name = "message";
                data.Clear();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal)) name = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (data.Length > 0) data.Append('\n');
                data.Append(line.AsSpan(5).TrimStart(' '));
            }
        }
    }
}
