namespace Rill.Protocol;

/// <summary>
/// Request header: v0 (key, version, correlation id), v1 (+ client id), v2 (+ tagged fields).
/// The client id stays a classic nullable string in v2, as Kafka keeps it.
/// </summary>
public sealed class RequestHeader
{
    public short RequestApiKey { get; set; }
    public short RequestApiVersion { get; set; }
    public int CorrelationId { get; set; }
    public string? ClientId { get; set; }
    public List<RawTaggedField>? UnknownTaggedFields { get; set; }

    public void Read(ref ProtocolReader reader, short headerVersion)
    {
        RequestApiKey = reader.ReadInt16();
        RequestApiVersion = reader.ReadInt16();
        CorrelationId = reader.ReadInt32();
        ClientId = headerVersion >= 1 ? reader.ReadNullableString(compact: false) : null;
        UnknownTaggedFields = headerVersion >= 2 ? TaggedFields.ReadAll(ref reader) : null;
    }

    public int ComputeSize(short headerVersion)
    {
        int size = 8;
        if (headerVersion >= 1)
        {
            size += ProtocolSizes.NullableString(ClientId, compact: false);
        }
        if (headerVersion >= 2)
        {
            size += ProtocolSizes.UnsignedVarInt((uint)(UnknownTaggedFields?.Count ?? 0)) + TaggedFields.SizeOfRaw(UnknownTaggedFields);
        }
        return size;
    }

    public void Write(ref ProtocolWriter writer, short headerVersion)
    {
        writer.WriteInt16(RequestApiKey);
        writer.WriteInt16(RequestApiVersion);
        writer.WriteInt32(CorrelationId);
        if (headerVersion >= 1)
        {
            writer.WriteNullableString(ClientId, compact: false);
        }
        if (headerVersion >= 2)
        {
            writer.WriteUnsignedVarInt((uint)(UnknownTaggedFields?.Count ?? 0));
            if (UnknownTaggedFields is not null)
            {
                foreach (RawTaggedField field in UnknownTaggedFields)
                {
                    TaggedFields.WriteRaw(ref writer, field);
                }
            }
        }
    }
}

/// <summary>Response header: v0 (correlation id), v1 (+ tagged fields).</summary>
public sealed class ResponseHeader
{
    public int CorrelationId { get; set; }
    public List<RawTaggedField>? UnknownTaggedFields { get; set; }

    public void Read(ref ProtocolReader reader, short headerVersion)
    {
        CorrelationId = reader.ReadInt32();
        UnknownTaggedFields = headerVersion >= 1 ? TaggedFields.ReadAll(ref reader) : null;
    }

    public int ComputeSize(short headerVersion)
        => 4 + (headerVersion >= 1 ? ProtocolSizes.UnsignedVarInt((uint)(UnknownTaggedFields?.Count ?? 0)) + TaggedFields.SizeOfRaw(UnknownTaggedFields) : 0);

    public void Write(ref ProtocolWriter writer, short headerVersion)
    {
        writer.WriteInt32(CorrelationId);
        if (headerVersion >= 1)
        {
            writer.WriteUnsignedVarInt((uint)(UnknownTaggedFields?.Count ?? 0));
            if (UnknownTaggedFields is not null)
            {
                foreach (RawTaggedField field in UnknownTaggedFields)
                {
                    TaggedFields.WriteRaw(ref writer, field);
                }
            }
        }
    }
}
