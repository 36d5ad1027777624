using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Rill.Client;

/// <summary>Built-in serializers: raw bytes, memory, UTF-8 strings, System.Text.Json.</summary>
public static class Serializers
{
    /// <summary>The bytes as they are (null stays null).</summary>
    public static readonly ISerializer<byte[]?> ByteArray = new ByteArraySerializer();
    /// <summary>The bytes as they are, without copying them into an array first.</summary>
    public static readonly ISerializer<ReadOnlyMemory<byte>> Memory = new MemorySerializer();
    /// <summary>A string as UTF-8 (null stays null).</summary>
    public static readonly ISerializer<string?> Utf8 = new Utf8Serializer();

    /// <summary>A value as System.Text.Json UTF-8 JSON, with these options.</summary>
    public static ISerializer<T> Json<T>(JsonSerializerOptions? options = null) => new JsonSerializer<T>(options);

    /// <summary>The serializer for a type when none is given: byte[], ReadOnlyMemory&lt;byte&gt;, string, else JSON.</summary>
    public static ISerializer<T> Default<T>() => typeof(T) == typeof(byte[]) ? (ISerializer<T>)ByteArray
        : typeof(T) == typeof(ReadOnlyMemory<byte>) ? (ISerializer<T>)Memory
        : typeof(T) == typeof(string) ? (ISerializer<T>)Utf8
        : new JsonSerializer<T>(null);

    private sealed class ByteArraySerializer : ISerializer<byte[]?>, IDirectSerializer<byte[]?>
    {
        public bool TryGetBytes(byte[]? value, out ReadOnlyMemory<byte> bytes)
        {
            bytes = value;
            return value is not null;
        }

        public bool Serialize(byte[]? value, IBufferWriter<byte> output)
        {
            if (value is null)
            {
                return false;
            }
            output.Write(value);
            return true;
        }
    }

    private sealed class MemorySerializer : ISerializer<ReadOnlyMemory<byte>>, IDirectSerializer<ReadOnlyMemory<byte>>
    {
        public bool TryGetBytes(ReadOnlyMemory<byte> value, out ReadOnlyMemory<byte> bytes)
        {
            bytes = value;
            return true;
        }

        public bool Serialize(ReadOnlyMemory<byte> value, IBufferWriter<byte> output)
        {
            output.Write(value.Span);
            return true;
        }
    }

    private sealed class Utf8Serializer : ISerializer<string?>
    {
        public bool Serialize(string? value, IBufferWriter<byte> output)
        {
            if (value is null)
            {
                return false;
            }
            int max = Encoding.UTF8.GetMaxByteCount(value.Length);
            int written = Encoding.UTF8.GetBytes(value, output.GetSpan(max));
            output.Advance(written);
            return true;
        }
    }

    private sealed class JsonSerializer<T>(JsonSerializerOptions? options) : ISerializer<T>
    {
        [ThreadStatic]
        private static Utf8JsonWriter? t_writer;

        public bool Serialize(T value, IBufferWriter<byte> output)
        {
            if (value is null)
            {
                return false;
            }
            Utf8JsonWriter writer = t_writer ??= new Utf8JsonWriter(output);
            writer.Reset(output);
            JsonSerializer.Serialize(writer, value, options);
            writer.Flush();
            return true;
        }
    }
}

/// <summary>A serializer whose values already are bytes: the producer appends them without a scratch copy.</summary>
internal interface IDirectSerializer<in T>
{
    /// <summary>False for a null value.</summary>
    bool TryGetBytes(T value, out ReadOnlyMemory<byte> bytes);
}

/// <summary>Built-in deserializers, mirrors of <see cref="Serializers"/>.</summary>
public static class Deserializers
{
    /// <summary>The bytes as a new array (null stays null).</summary>
    public static readonly IDeserializer<byte[]?> ByteArray = new ByteArrayDeserializer();
    /// <summary>The bytes without copying them (a null field becomes empty).</summary>
    public static readonly IDeserializer<ReadOnlyMemory<byte>> Memory = new MemoryDeserializer();
    /// <summary>UTF-8 bytes as a string (null stays null).</summary>
    public static readonly IDeserializer<string?> Utf8 = new Utf8Deserializer();

    /// <summary>UTF-8 JSON as a value, with these System.Text.Json options.</summary>
    public static IDeserializer<T?> Json<T>(JsonSerializerOptions? options = null) => new JsonDeserializer<T>(options);

    /// <summary>The deserializer for a type when none is given: byte[], ReadOnlyMemory&lt;byte&gt;, string, else JSON.</summary>
    public static IDeserializer<T> Default<T>() => typeof(T) == typeof(byte[]) ? (IDeserializer<T>)ByteArray
        : typeof(T) == typeof(ReadOnlyMemory<byte>) ? (IDeserializer<T>)Memory
        : typeof(T) == typeof(string) ? (IDeserializer<T>)Utf8
        : (IDeserializer<T>)new JsonDeserializer<T>(null)!;

    private sealed class ByteArrayDeserializer : IDeserializer<byte[]?>
    {
        public byte[]? Deserialize(ReadOnlyMemory<byte>? data) => data?.ToArray();
    }

    private sealed class MemoryDeserializer : IDeserializer<ReadOnlyMemory<byte>>
    {
        public ReadOnlyMemory<byte> Deserialize(ReadOnlyMemory<byte>? data) => data ?? ReadOnlyMemory<byte>.Empty;
    }

    private sealed class Utf8Deserializer : IDeserializer<string?>
    {
        public string? Deserialize(ReadOnlyMemory<byte>? data) => data is { } d ? Encoding.UTF8.GetString(d.Span) : null;
    }

    private sealed class JsonDeserializer<T>(JsonSerializerOptions? options) : IDeserializer<T?>
    {
        public T? Deserialize(ReadOnlyMemory<byte>? data) => data is { } d ? JsonSerializer.Deserialize<T>(d.Span, options) : default;
    }
}
