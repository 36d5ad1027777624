using Microsoft.Extensions.Logging;
using Rill.Server.Http;

namespace Rill.Server.Tests;

/// <summary>rill.log.level: its accepted spellings, the default, and a refused value naming the property.</summary>
public class RillServerOptionsTests
{
    [Theory]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("DEBUG", LogLevel.Debug)]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("information", LogLevel.Information)]
    [InlineData("warn", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    public void Log_level_is_parsed_and_kept_out_of_the_kafka_properties(string value, LogLevel expected)
    {
        var (options, kafka) = RillServerOptions.Split([new("rill.log.level", value), new("num.partitions", "3")]);
        Assert.Equal(expected, options.LogLevel);
        Assert.Equal("num.partitions", Assert.Single(kafka).Key);
    }

    [Fact]
    public void Log_level_defaults_to_information_and_refuses_unknown_levels()
    {
        Assert.Equal(LogLevel.Information, RillServerOptions.Split([]).Options.LogLevel);
        var e = Assert.Throws<ArgumentException>(() => RillServerOptions.Split([new("rill.log.level", "verbose")]));
        Assert.Contains("rill.log.level", e.Message);
    }

    [Fact]
    public void Console_login_and_session_lifetime_are_parsed_and_refused_when_invalid()
    {
        RillServerOptions defaults = RillServerOptions.Split([]).Options;
        Assert.Equal((ConsoleLoginMode.Auto, TimeSpan.FromHours(8)), (defaults.ConsoleLogin, defaults.ConsoleSessionLifetime));
        var (options, kafka) = RillServerOptions.Split([new("rill.console.login", "required"), new("rill.console.session.lifetime.ms", "60000")]);
        Assert.Equal((ConsoleLoginMode.Required, TimeSpan.FromMinutes(1)), (options.ConsoleLogin, options.ConsoleSessionLifetime));
        Assert.Empty(kafka);
        Assert.Contains("rill.console.login", Assert.Throws<ArgumentException>(() => RillServerOptions.Split([new("rill.console.login", "never")])).Message);
        Assert.Contains("rill.console.session.lifetime.ms",
            Assert.Throws<ArgumentException>(() => RillServerOptions.Split([new("rill.console.session.lifetime.ms", "0")])).Message);
    }
}
