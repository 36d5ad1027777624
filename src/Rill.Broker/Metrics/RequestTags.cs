using Rill.Protocol;

namespace Rill.Broker.Metrics;

/// <summary>
/// Tag lists {api, version} for the request instruments, built once per API key and version and
/// reused for every request after that (no allocation per request).
/// </summary>
internal static class RequestTags
{
    private const int MaxApiKey = 128, MaxVersion = 32;
    private static readonly KeyValuePair<string, object?>[]?[] ByKeyAndVersion = new KeyValuePair<string, object?>[]?[MaxApiKey * MaxVersion];
    private static readonly KeyValuePair<string, object?>[]?[] ByKey = new KeyValuePair<string, object?>[]?[MaxApiKey];

    /// <summary>{api=Produce, version=9}.</summary>
    public static KeyValuePair<string, object?>[] For(ApiKey key, short version)
    {
        int k = (int)key, v = version;
        if ((uint)k >= MaxApiKey || (uint)v >= MaxVersion)
        {
            return [new("api", key.ToString()), new("version", version.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        }
        ref KeyValuePair<string, object?>[]? slot = ref ByKeyAndVersion[k * MaxVersion + v];
        return slot ??= [new("api", key.ToString()), new("version", version.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>{api=Produce}: histograms are per API only, as Kafka's RequestMetrics are.</summary>
    public static KeyValuePair<string, object?>[] For(ApiKey key)
    {
        int k = (int)key;
        if ((uint)k >= MaxApiKey)
        {
            return [new("api", key.ToString())];
        }
        ref KeyValuePair<string, object?>[]? slot = ref ByKey[k];
        return slot ??= [new("api", key.ToString())];
    }
}
