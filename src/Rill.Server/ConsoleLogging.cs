using Microsoft.Extensions.Logging;

namespace Rill.Server;

/// <summary>The console log of <c>rill serve</c>: one line per event, or one JSON object per event with <c>rill.log.format=json</c>.</summary>
internal static class ConsoleLogging
{
    public static ILoggingBuilder Add(ILoggingBuilder builder, string format) => format == "json"
        ? builder.AddJsonConsole(o =>
        {
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
            o.IncludeScopes = false;
        })
        : builder.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
}
