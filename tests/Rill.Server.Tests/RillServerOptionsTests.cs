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

    [Theory]
    [InlineData("http://collector:4317", false)]
    [InlineData("https://collector:4317/", false)]
    [InlineData("http://collector:4318/v1/metrics", true)]
    public void Otlp_endpoint_picks_http_for_the_metrics_path_and_grpc_otherwise(string endpoint, bool overHttp)
    {
        RillServerOptions options = RillServerOptions.Split([new("rill.otlp.endpoint", endpoint)]).Options;
        Assert.Equal(new Uri(endpoint), options.OtlpEndpoint);
        Assert.Equal(overHttp, options.OtlpOverHttp);
        Assert.Null(RillServerOptions.Split([new("rill.otlp.endpoint", "none")]).Options.OtlpEndpoint);
        Assert.Contains("rill.otlp.endpoint", Assert.Throws<ArgumentException>(() => RillServerOptions.Split([new("rill.otlp.endpoint", "ftp://collector")])).Message);
    }

    [Fact]
    public void Otlp_interval_defaults_to_a_minute_and_refuses_non_positive_values()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), RillServerOptions.Split([]).Options.OtlpInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), RillServerOptions.Split([new("rill.otlp.interval.ms", "10000")]).Options.OtlpInterval);
        Assert.Contains("rill.otlp.interval.ms", Assert.Throws<ArgumentException>(() => RillServerOptions.Split([new("rill.otlp.interval.ms", "0")])).Message);
        Assert.Contains("rill.otlp.interval.ms", Assert.Throws<ArgumentException>(() => RillServerOptions.Split([new("rill.otlp.interval.ms", "-5")])).Message);
    }
}
