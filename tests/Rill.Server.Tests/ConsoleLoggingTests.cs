using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rill.Server.Tests;

/// <summary>The console log of rill serve: the one-line text format, its filters, and the JSON format's filters.</summary>
public class ConsoleLoggingTests
{
    private static string Format(LogLevel level, string message, Exception? exception = null, bool colors = false)
    {
        var writer = new StringWriter();
        new SingleLineFormatter(colors).Write(
            new LogEntry<string>(level, "Rill.Broker.KafkaBroker", new EventId(7), message, exception, (s, _) => s), null, writer);
        return writer.ToString();
    }

    [Fact]
    public void A_line_is_time_level_category_event_id_and_message()
    {
        string line = Format(LogLevel.Information, "Loaded 3 topics");
        Assert.Matches(new Regex(@"^\d\d:\d\d:\d\d\.\d\d\d info: Rill\.Broker\.KafkaBroker\[7\] Loaded 3 topics\n$"), line);
    }

    [Fact]
    public void Line_breaks_in_the_message_and_the_exception_become_spaces()
    {
        string line = Format(LogLevel.Error, "first\nsecond", new InvalidOperationException("broken\nbadly"));
        Assert.EndsWith("\n", line);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(" fail: Rill.Broker.KafkaBroker[7] first second System.InvalidOperationException: broken badly", line);
    }

    [Fact]
    public void Levels_are_the_four_letter_names_and_colours_only_when_asked()
    {
        Assert.Contains(" warn: ", Format(LogLevel.Warning, "w"));
        Assert.Contains(" dbug: ", Format(LogLevel.Debug, "d"));
        Assert.Contains(" crit: ", Format(LogLevel.Critical, "c"));
        Assert.DoesNotContain("\u001b[", Format(LogLevel.Warning, "w"));
        Assert.Contains("\u001b[", Format(LogLevel.Warning, "w", colors: true));
    }

    [Fact]
    public void An_empty_event_writes_nothing()
    {
        Assert.Equal("", Format(LogLevel.Information, ""));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public void The_minimum_level_applies_and_asp_net_core_logs_warnings_only(string format)
    {
        using ILoggerFactory factory = ConsoleLogging.Create(format, LogLevel.Information);
        ILogger rill = factory.CreateLogger("rill");
        Assert.True(rill.IsEnabled(LogLevel.Information));
        Assert.False(rill.IsEnabled(LogLevel.Debug));
        ILogger kestrel = factory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel");
        Assert.False(kestrel.IsEnabled(LogLevel.Information));
        Assert.True(kestrel.IsEnabled(LogLevel.Warning));
        Assert.False(factory.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information));

        using ILoggerFactory debug = ConsoleLogging.Create(format, LogLevel.Debug);
        Assert.True(debug.CreateLogger("Rill.Storage.LogManager").IsEnabled(LogLevel.Debug));
    }
}
