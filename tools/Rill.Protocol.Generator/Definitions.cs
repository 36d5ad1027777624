namespace Rill.Protocol.Generator;

/// <summary>An inclusive version range; High = short.MaxValue means open-ended ("3+"). Empty when Low &gt; High.</summary>
internal readonly record struct VersionRange(short Low, short High)
{
    public static readonly VersionRange None = new(1, 0);
    public static readonly VersionRange All = new(0, short.MaxValue);

    public bool IsEmpty => Low > High;
    public bool IsOpen => High == short.MaxValue;

    public static VersionRange Parse(string text)
    {
        if (text == "none")
        {
            return None;
        }
        if (text.EndsWith('+'))
        {
            return new VersionRange(short.Parse(text[..^1]), short.MaxValue);
        }
        int dash = text.IndexOf('-');
        return dash < 0
            ? new VersionRange(short.Parse(text), short.Parse(text))
            : new VersionRange(short.Parse(text[..dash]), short.Parse(text[(dash + 1)..]));
    }

    public VersionRange Intersect(VersionRange other)
        => new(Math.Max(Low, other.Low), Math.Min(High, other.High));

}

internal sealed class FieldDef
{
    public required string Name { get; init; }
    /// <summary>Wire type: bool, int8, int16, uint16, int32, int64, float64, uuid, string, bytes, records, a struct name, or []T.</summary>
    public required string Type { get; init; }
    public VersionRange Versions { get; set; } = VersionRange.All;
    public VersionRange Nullable { get; set; } = VersionRange.None;
    public int? Tag { get; set; }
    public string? Default { get; set; }
    public List<FieldDef> Children { get; } = [];
    public int Line { get; init; }

    public bool IsArray => Type.StartsWith("[]", StringComparison.Ordinal);
    public string ElementType => IsArray ? Type[2..] : Type;
    public bool IsStructType => !Primitives.Contains(ElementType);

    public static readonly HashSet<string> Primitives =
        ["bool", "int8", "int16", "uint16", "int32", "int64", "float64", "uuid", "string", "bytes", "records"];
}

/// <summary>
/// One generated type: an API's request or response, or a versioned data structure that is not an
/// API message (Kind "Data": records Rill stores, the consumer protocol's payloads).
/// </summary>
internal sealed class MessageDef
{
    /// <summary>The API name, or the data structure's name.</summary>
    public required string Api { get; init; }
    public required short ApiKey { get; init; }
    public required string Kind { get; init; } // Request, Response or Data
    public required VersionRange Valid { get; init; }
    public required VersionRange Flexible { get; init; }
    public List<FieldDef> Fields { get; } = [];

    public bool IsData => Kind == "Data";
    public string ClassName => IsData ? Api : Api + Kind;

    /// <summary>Where the generated file goes, relative to src/Rill.Protocol.</summary>
    public string OutputPath => (IsData ? "Data/" : "Messages/") + ClassName + ".g.cs";
}
