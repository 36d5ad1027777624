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
}
