using System.Buffers;

namespace Rill.Client;

/// <summary>Turns a value into record bytes, writing into the producer's scratch buffer (no allocation needed).</summary>
public interface ISerializer<in T>
{
    /// <summary>False when the value is null (the record field is then null); otherwise writes the bytes.</summary>
    bool Serialize(T value, IBufferWriter<byte> output);
}

/// <summary>Turns record bytes (null for a null field) into a value.</summary>
public interface IDeserializer<out T>
{
    /// <summary>The value for these bytes (null: the record field was null).</summary>
    T Deserialize(ReadOnlyMemory<byte>? data);
}
