using System.Text.Json;

namespace Rill.Tracking.Ingest;

/// <summary>
/// Strict parsing of a rider frame: one JSON object, only the known fields, each with its type,
/// coordinates in range, the timestamp near the server's clock. Anything else is refused with a
/// reason (<see cref="FrameErrors"/>) and never produced.
/// </summary>
public static class FrameParser
{
    public const int MaxIdLength = 64;
    public static readonly TimeSpan MaxFuture = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MaxPast = TimeSpan.FromMinutes(15);

    public readonly record struct Result(RiderFrame Frame, string? Error, string? Field, long? Seq)
    {
        public bool IsValid => Error is null;
    }

    public static Result Parse(ReadOnlySpan<byte> json, long nowMs)
    {
        string? riderId = null, orderId = null;
        double? lat = null, lon = null, speed = null, heading = null;
        long? ts = null, seq = null;
        int seen = 0;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail(FrameErrors.NotAnObject, null, null);
            }
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }
                string name = reader.GetString()!;
                reader.Read();
                int bit = name switch
                {
                    "riderId" => 1, "orderId" => 2, "lat" => 4, "lon" => 8, "speedMps" => 16, "heading" => 32, "ts" => 64, "seq" => 128,
                    _ => 0,
                };
                if (bit == 0)
                {
                    reader.Skip();
                    return Fail(FrameErrors.UnknownField, name, seq);
                }
                if ((seen & bit) != 0)
                {
                    return Fail(FrameErrors.DuplicateField, name, seq);
                }
                seen |= bit;
                bool ok = name switch
                {
                    "riderId" => ReadString(ref reader, out riderId, nullable: false),
                    "orderId" => ReadString(ref reader, out orderId, nullable: true),
                    "lat" => ReadDouble(ref reader, out lat, nullable: false),
                    "lon" => ReadDouble(ref reader, out lon, nullable: false),
                    "speedMps" => ReadDouble(ref reader, out speed, nullable: true),
                    "heading" => ReadDouble(ref reader, out heading, nullable: true),
                    "ts" => ReadLong(ref reader, out ts, nullable: false),
                    _ => ReadLong(ref reader, out seq, nullable: true),
                };
                if (!ok)
                {
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        reader.Skip();
                    }
                    return Fail(FrameErrors.WrongType, name, name == "seq" ? null : seq);
                }
            }
            if (reader.Read())
            {
                return Fail(FrameErrors.MalformedJson, null, seq); // something after the object
            }
        }
        catch (JsonException)
        {
            return Fail(FrameErrors.MalformedJson, null, seq);
        }
        catch (InvalidOperationException)
        {
            return Fail(FrameErrors.MalformedJson, null, seq);
        }

        if (riderId is null) return Fail(FrameErrors.MissingField, "riderId", seq);
        if (lat is null) return Fail(FrameErrors.MissingField, "lat", seq);
        if (lon is null) return Fail(FrameErrors.MissingField, "lon", seq);
        if (ts is null) return Fail(FrameErrors.MissingField, "ts", seq);
        if (!IsValidId(riderId)) return Fail(FrameErrors.BadId, "riderId", seq);
        if (orderId is not null && !IsValidId(orderId)) return Fail(FrameErrors.BadId, "orderId", seq);
        if (!double.IsFinite(lat.Value) || lat < -90 || lat > 90) return Fail(FrameErrors.LatOutOfRange, "lat", seq);
        if (!double.IsFinite(lon.Value) || lon < -180 || lon > 180) return Fail(FrameErrors.LonOutOfRange, "lon", seq);
        if (speed is { } s && (!double.IsFinite(s) || s < 0 || s > 100)) return Fail(FrameErrors.SpeedOutOfRange, "speedMps", seq);
        if (heading is { } h && (!double.IsFinite(h) || h < 0 || h > 360)) return Fail(FrameErrors.HeadingOutOfRange, "heading", seq);
        if (ts.Value > nowMs + (long)MaxFuture.TotalMilliseconds) return Fail(FrameErrors.TsInFuture, "ts", seq);
        if (ts.Value < nowMs - (long)MaxPast.TotalMilliseconds) return Fail(FrameErrors.TsTooOld, "ts", seq);
        return new Result(new RiderFrame(riderId, orderId, lat.Value, lon.Value, speed, heading, ts.Value, seq), null, null, seq);
    }

    /// <summary>Ids are 1-64 characters of letters, digits, '-', '_', '.', ':'.</summary>
    public static bool IsValidId(string id)
    {
        if (id.Length is 0 or > MaxIdLength)
        {
            return false;
        }
        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                return false;
            }
        }
        return true;
    }

    private static Result Fail(string error, string? field, long? seq) => new(default, error, field, seq);

    private static bool ReadString(ref Utf8JsonReader reader, out string? value, bool nullable)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return nullable;
        }
        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }
        value = reader.GetString();
        return true;
    }

    private static bool ReadDouble(ref Utf8JsonReader reader, out double? value, bool nullable)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return nullable;
        }
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double d))
        {
            return false;
        }
        value = d;
        return true;
    }

    private static bool ReadLong(ref Utf8JsonReader reader, out long? value, bool nullable)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return nullable;
        }
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long n))
        {
            return false;
        }
        value = n;
        return true;
    }
}
