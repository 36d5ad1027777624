namespace Rill.Protocol.Generator;

/// <summary>How each wire type looks in C#: property type, initial value, read/size/write expressions.</summary>
internal static class CSharpTypes
{
    public static string Primitive(string type) => type switch
    {
        "bool" => "bool",
        "int8" => "sbyte",
        "int16" => "short",
        "uint16" => "ushort",
        "int32" => "int",
        "int64" => "long",
        "float64" => "double",
        "uuid" => "Guid",
        "string" => "string",
        "bytes" => "ReadOnlyMemory<byte>",
        "records" => "ReadOnlyMemory<byte>?",
        _ => type,
    };

    public static int? FixedSize(string type) => type switch
    {
        "bool" or "int8" => 1,
        "int16" or "uint16" => 2,
        "int32" => 4,
        "int64" or "float64" => 8,
        "uuid" => 16,
        _ => null,
    };

    public static string ReadFixed(string type, string reader) => type switch
    {
        "bool" => $"{reader}.ReadBoolean()",
        "int8" => $"{reader}.ReadInt8()",
        "int16" => $"{reader}.ReadInt16()",
        "uint16" => $"{reader}.ReadUInt16()",
        "int32" => $"{reader}.ReadInt32()",
        "int64" => $"{reader}.ReadInt64()",
        "float64" => $"{reader}.ReadFloat64()",
        "uuid" => $"{reader}.ReadUuid()",
        _ => throw new InvalidOperationException(type),
    };

    public static string WriteFixed(string type, string value) => type switch
    {
        "bool" => $"writer.WriteBoolean({value})",
        "int8" => $"writer.WriteInt8({value})",
        "int16" => $"writer.WriteInt16({value})",
        "uint16" => $"writer.WriteUInt16({value})",
        "int32" => $"writer.WriteInt32({value})",
        "int64" => $"writer.WriteInt64({value})",
        "float64" => $"writer.WriteFloat64({value})",
        "uuid" => $"writer.WriteUuid({value})",
        _ => throw new InvalidOperationException(type),
    };

    /// <summary>A C# literal for a default value written in a definition.</summary>
    public static string Literal(string type, string value)
    {
        if (value == "null")
        {
            return "null";
        }
        return type switch
        {
            "string" => "\"" + value.Replace("\"", "\\\"") + "\"",
            "bool" => value,
            "int8" => $"(sbyte){value}",
            "int16" => $"(short){value}",
            "uint16" => $"(ushort){value}",
            "int64" => value + "L",
            "float64" => value + "d",
            _ => value,
        };
    }
}
