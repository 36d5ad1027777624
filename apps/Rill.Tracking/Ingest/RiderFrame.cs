namespace Rill.Tracking.Ingest;

/// <summary>One position frame from a rider's phone: `{riderId, orderId?, lat, lon, speedMps?, heading?, ts, seq?}`.</summary>
public readonly record struct RiderFrame(string RiderId, string? OrderId, double Lat, double Lon, double? SpeedMps, double? Heading, long Ts, long? Seq);

/// <summary>Why a frame was refused; the strings are what error frames and the error counters carry.</summary>
public static class FrameErrors
{
    public const string MalformedJson = "malformed-json";
    public const string NotAnObject = "not-an-object";
    public const string MissingField = "missing-field";
    public const string WrongType = "wrong-type";
    public const string UnknownField = "unknown-field";
    public const string DuplicateField = "duplicate-field";
    public const string LatOutOfRange = "lat-out-of-range";
    public const string LonOutOfRange = "lon-out-of-range";
    public const string SpeedOutOfRange = "speed-out-of-range";
    public const string HeadingOutOfRange = "heading-out-of-range";
    public const string TsInFuture = "ts-in-future";
    public const string TsTooOld = "ts-too-old";
    public const string BadId = "bad-id";
    public const string RiderMismatch = "rider-mismatch";
    public const string BinaryFrame = "binary-frame";
    public const string RateLimited = "rate-limited";
    public const string Oversized = "oversized";
    public const string Flood = "flood";
    public const string BadToken = "bad-token";
    public const string ProduceFailed = "produce-failed";
}
