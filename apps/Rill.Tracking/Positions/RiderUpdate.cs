using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rill.Tracking.Positions;

/// <summary>The value of a rider-updates / rider-latest record (JSON, camelCase): the frame plus the region and when the app received it.</summary>
public sealed record RiderUpdate(string RiderId, string? OrderId, string Region, double Lat, double Lon, double? SpeedMps, double? Heading,
    long Ts, long? Seq, long ReceivedTs);

public static class TrackingJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T? Deserialize<T>(ReadOnlySpan<byte> json) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
