namespace Rill.Protocol;

/// <summary>
/// One Kafka request or response body. One class covers every version; fields absent from a
/// version keep their defaults. Size first, then write, so a caller can rent one exact buffer.
/// </summary>
public interface IApiMessage
{
    ApiKey ApiKey { get; }

    void Read(ref ProtocolReader reader, short version);

    int ComputeSize(short version);

    void Write(ref ProtocolWriter writer, short version);
}

/// <summary>A tagged field this code does not know, kept as raw bytes so it is written back unchanged.</summary>
public readonly record struct RawTaggedField(int Tag, ReadOnlyMemory<byte> Data);
