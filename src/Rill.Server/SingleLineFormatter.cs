using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Rill.Server;

/// <summary>
/// One line per event, the same as the simple console formatter with <c>SingleLine</c> and a
/// <c>HH:mm:ss.fff</c> timestamp: <c>12:00:00.123 info: rill[0] Shutting down</c>. Line breaks inside the
/// message or the exception become spaces. The level is coloured only on a terminal, and not with NO_COLOR set.
/// </summary>
internal sealed class SingleLineFormatter(bool colors) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "rill-single-line";

    private const string Reset = "\u001b[39m\u001b[22m\u001b[49m";

    /// <summary>Colours when standard output is a terminal and NO_COLOR is not set (https://no-color.org).</summary>
    public static bool EmitColors() =>
        !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (logEntry.Exception is null && string.IsNullOrEmpty(message))
        {
            return;
        }
        textWriter.Write(DateTimeOffset.Now.ToString("HH:mm:ss.fff "));
        (string level, string? color) = Level(logEntry.LogLevel);
        if (colors && color is not null)
        {
            textWriter.Write(color);
            textWriter.Write(level);
            textWriter.Write(Reset);
        }
        else
        {
            textWriter.Write(level);
        }
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.Write(']');
        WriteOnOneLine(textWriter, message);
        if (logEntry.Exception is { } exception)
        {
            WriteOnOneLine(textWriter, exception.ToString());
        }
        textWriter.Write(Environment.NewLine);
    }

    private static void WriteOnOneLine(TextWriter textWriter, string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }
        textWriter.Write(' ');
        textWriter.Write(text.Contains('\n') ? text.ReplaceLineEndings(" ") : text);
    }

    /// <summary>The simple formatter's four-letter levels and their ANSI colours.</summary>
    private static (string Text, string? Color) Level(LogLevel level) => level switch
    {
        LogLevel.Trace => ("trce", "\u001b[37m"),
        LogLevel.Debug => ("dbug", "\u001b[37m"),
        LogLevel.Information => ("info", "\u001b[32m"),
        LogLevel.Warning => ("warn", "\u001b[1m\u001b[33m"),
        LogLevel.Error => ("fail", "\u001b[30m\u001b[41m"),
        LogLevel.Critical => ("crit", "\u001b[1m\u001b[37m\u001b[41m"),
        _ => (level.ToString().ToLowerInvariant(), null),
    };
}
