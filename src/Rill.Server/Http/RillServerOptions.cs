namespace Rill.Server.Http;

/// <summary>
/// Rill's own server properties (prefix <c>rill.</c>), kept apart from Kafka's broker properties:
/// the HTTP listener for metrics, health and the console, the OTLP exporter and the log format.
/// </summary>
public sealed record RillServerOptions
{
    public const string HttpListenerKey = "rill.http.listener";
    public const string OtlpEndpointKey = "rill.otlp.endpoint";
    public const string OtlpIntervalKey = "rill.otlp.interval.ms";
    public const string LogFormatKey = "rill.log.format";
    public const string LogLevelKey = "rill.log.level";

    public const string ConsoleEnabledKey = "rill.console.enabled";
    public const string ConsoleLoginKey = "rill.console.login";
    public const string ConsoleSessionLifetimeKey = "rill.console.session.lifetime.ms";
    public const string ConsoleSessionIdleTimeoutKey = "rill.console.session.idle.timeout.ms";

    public static IReadOnlyList<string> Keys { get; } =
        [HttpListenerKey, OtlpEndpointKey, OtlpIntervalKey, LogFormatKey, LogLevelKey, ConsoleEnabledKey, ConsoleLoginKey, ConsoleSessionLifetimeKey,
         ConsoleSessionIdleTimeoutKey];

    /// <summary>Where /metrics, /health/* and the console are served; null when <c>none</c>.</summary>
    public Uri? HttpListener { get; init; } = new("http://127.0.0.1:9644");

    /// <summary>
    /// Where to push metrics over OTLP; null: no push. A URL whose path ends in <c>/v1/metrics</c> is OTLP/HTTP
    /// (protobuf, e.g. <c>http://collector:4318/v1/metrics</c>); any other is OTLP/gRPC (e.g. <c>http://collector:4317</c>).
    /// </summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>How often metrics are pushed over OTLP (OpenTelemetry's default, 60 s).</summary>
    public TimeSpan OtlpInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>True when <see cref="OtlpEndpoint"/> names the OTLP/HTTP metrics path, false for OTLP/gRPC.</summary>
    public bool OtlpOverHttp => OtlpEndpoint?.AbsolutePath.EndsWith("/v1/metrics", StringComparison.Ordinal) == true;

    /// <summary>The web console (/console/ and /api/) on the HTTP listener; on by default.</summary>
    public bool ConsoleEnabled { get; init; } = true;

    /// <summary>
    /// <c>auto</c> (default): the console asks for a login when the broker has an authorizer or a SASL listener;
    /// <c>required</c>: always.
    /// </summary>
    public ConsoleLoginMode ConsoleLogin { get; init; } = ConsoleLoginMode.Auto;

    /// <summary>How long a console login lasts at most (absolute; the cookie's Max-Age); 8 hours by default.</summary>
    public TimeSpan ConsoleSessionLifetime { get; init; } = TimeSpan.FromHours(8);

    /// <summary>A console login ends after this long without the user using the page; 30 minutes by default.</summary>
    public TimeSpan ConsoleSessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>"text" (one line per event) or "json" (one JSON object per event).</summary>
    public string LogFormat { get; init; } = "text";

    /// <summary>The lowest level logged (trace, debug, information, warning, error); debug adds one line per request.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>
    /// Takes the <c>rill.*</c> pairs out of <paramref name="properties"/> (later wins) and returns the
    /// options plus the remaining (broker) pairs. Throws <see cref="ArgumentException"/> naming the property.
    /// </summary>
    public static (RillServerOptions Options, List<KeyValuePair<string, string>> Kafka) Split(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var options = new RillServerOptions();
        var kafka = new List<KeyValuePair<string, string>>();
        foreach (var (rawKey, rawValue) in properties)
        {
            string key = rawKey.Trim(), value = rawValue.Trim();
            switch (key)
            {
                case HttpListenerKey:
                    options = options with { HttpListener = ParseListener(value) };
                    break;
                case OtlpEndpointKey:
                    options = options with { OtlpEndpoint = value is "" or "none" ? null : ParseOtlpEndpoint(value) };
                    break;
                case OtlpIntervalKey:
                    options = long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long intervalMs) && intervalMs > 0
                        ? options with { OtlpInterval = TimeSpan.FromMilliseconds(intervalMs) }
                        : throw new ArgumentException($"Invalid value '{value}' for {key}: expected a positive number of milliseconds");
                    break;
                case LogFormatKey:
                    options = value is "text" or "json"
                        ? options with { LogFormat = value }
                        : throw new ArgumentException($"Invalid value '{value}' for {key}: expected text or json");
                    break;
                case LogLevelKey:
                    options = options with { LogLevel = ParseLogLevel(value) };
                    break;
                case ConsoleEnabledKey:
                    options = bool.TryParse(value, out bool enabled)
                        ? options with { ConsoleEnabled = enabled }
                        : throw new ArgumentException($"Invalid value '{value}' for {key}: expected true or false");
                    break;
                case ConsoleLoginKey:
                    options = value switch
                    {
                        "auto" => options with { ConsoleLogin = ConsoleLoginMode.Auto },
                        "required" => options with { ConsoleLogin = ConsoleLoginMode.Required },
                        _ => throw new ArgumentException($"Invalid value '{value}' for {key}: expected auto or required"),
                    };
                    break;
                case ConsoleSessionLifetimeKey:
                    options = long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long ms) && ms > 0
                        ? options with { ConsoleSessionLifetime = TimeSpan.FromMilliseconds(ms) }
                        : throw new ArgumentException($"Invalid value '{value}' for {key}: expected a positive number of milliseconds");
                    break;
                case ConsoleSessionIdleTimeoutKey:
                    options = long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long idleMs) && idleMs > 0
                        ? options with { ConsoleSessionIdleTimeout = TimeSpan.FromMilliseconds(idleMs) }
                        : throw new ArgumentException($"Invalid value '{value}' for {key}: expected a positive number of milliseconds");
                    break;
                default:
                    // Everything else, including the broker's own rill.* settings (rill.metadata.etcd.*), goes to
                    // the broker's config, which refuses an unknown name and suggests the closest one.
                    kafka.Add(new(key, rawValue));
                    break;
            }
        }
        return (options, kafka);
    }

    private static Microsoft.Extensions.Logging.LogLevel ParseLogLevel(string value) => value.ToLowerInvariant() switch
    {
        "trace" => Microsoft.Extensions.Logging.LogLevel.Trace,
        "debug" => Microsoft.Extensions.Logging.LogLevel.Debug,
        "info" or "information" => Microsoft.Extensions.Logging.LogLevel.Information,
        "warn" or "warning" => Microsoft.Extensions.Logging.LogLevel.Warning,
        "error" => Microsoft.Extensions.Logging.LogLevel.Error,
        _ => throw new ArgumentException($"Invalid value '{value}' for {LogLevelKey}: expected trace, debug, info, warn or error"),
    };

    private static Uri? ParseListener(string value)
    {
        if (value is "none" or "")
        {
            return null;
        }
        Uri uri = ParseUri(HttpListenerKey, value);
        return uri.Scheme == Uri.UriSchemeHttp
            ? uri
            : throw new ArgumentException($"Invalid value '{value}' for {HttpListenerKey}: expected http://host:port or none");
    }

    private static Uri ParseOtlpEndpoint(string value)
    {
        Uri uri = ParseUri(OtlpEndpointKey, value);
        return uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps
            ? uri
            : throw new ArgumentException($"Invalid value '{value}' for {OtlpEndpointKey}: expected http(s)://host:port for OTLP/gRPC or http(s)://host:port/v1/metrics for OTLP/HTTP");
    }

    private static Uri ParseUri(string key, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out Uri? uri)
            ? uri
            : throw new ArgumentException($"Invalid value '{value}' for {key}: expected an absolute URL");
}

/// <summary>When the web console asks for a login (<c>rill.console.login</c>).</summary>
public enum ConsoleLoginMode
{
    /// <summary>When the broker has an authorizer or a SASL listener.</summary>
    Auto,

    /// <summary>Always, even without Kafka security (users still come from the broker's SCRAM / PLAIN users).</summary>
    Required,
}
