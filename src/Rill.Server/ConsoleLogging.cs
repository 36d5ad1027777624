using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Rill.Server;

/// <summary>
/// The console log of <c>rill serve</c>: one line per event (<see cref="SingleLineFormatter"/>), or one JSON
/// object per event with <c>rill.log.format=json</c>.
/// </summary>
/// <remarks>
/// The text log is built without <c>LoggerFactory.Create</c>: that builds a dependency-injection container
/// (service lookup, options, configuration binding) whose generic code is compiled at start-up, about 25 ms
/// of the broker's start before its Kafka listener opens. The console provider and the filters are the same.
/// </remarks>
internal static class ConsoleLogging
{
    public static ILoggerFactory Create(string format, LogLevel minLevel)
    {
        if (format == "json")
        {
            return LoggerFactory.Create(b => AddFilters(b.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
                o.IncludeScopes = false;
            }), minLevel));
        }
        var options = new ConsoleLoggerOptions { FormatterName = SingleLineFormatter.FormatterName };
        var provider = new ConsoleLoggerProvider(new FixedOptions<ConsoleLoggerOptions>(options),
            [new SingleLineFormatter(SingleLineFormatter.EmitColors())]);
        var filters = new LoggerFilterOptions { MinLevel = minLevel };
        foreach ((string category, LogLevel level) in QuietCategories)
        {
            filters.Rules.Add(new LoggerFilterRule(null, category, level, null));
        }
        var factory = new LoggerFactory([], filters);
        factory.AddProvider(provider); // added, not passed in: the factory then disposes it, which flushes its queue
        return factory;
    }

    /// <summary>ASP.NET Core's own categories log warnings and above only.</summary>
    private static readonly (string Category, LogLevel Level)[] QuietCategories =
        [("Microsoft.AspNetCore", LogLevel.Warning), ("Microsoft.Hosting", LogLevel.Warning)];

    private static ILoggingBuilder AddFilters(ILoggingBuilder builder, LogLevel minLevel)
    {
        builder.SetMinimumLevel(minLevel);
        foreach ((string category, LogLevel level) in QuietCategories)
        {
            builder.AddFilter(category, level);
        }
        return builder;
    }

    /// <summary>Options that never change (the console provider asks for a monitor).</summary>
    private sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;
        public T Get(string? name) => value;
        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
