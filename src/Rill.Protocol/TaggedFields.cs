namespace Rill.Protocol;

/// <summary>Reading and writing the tagged-field section of flexible versions (KIP-482).</summary>
public static class TaggedFields
{
    /// <summary>Reads a tagged-field section, keeping every field as raw bytes (for headers and unknown tags).</summary>
    public static List<RawTaggedField>? ReadAll(ref ProtocolReader reader)
    {
        uint count = reader.ReadUnsignedVarInt();
        if (count == 0)
        {
            return null;
        }
        if (count > (uint)reader.Remaining)
        {
            throw new ProtocolException($"Tagged field count {count} is past the end of the buffer.");
        }
        var fields = new List<RawTaggedField>((int)count);
        int previous = -1;
        for (uint i = 0; i < count; i++)
        {
            int tag = ReadTag(ref reader, ref previous);
            int size = ReadSize(ref reader);
            fields.Add(new RawTaggedField(tag, reader.ReadRaw(size)));
        }
        return fields;
    }

    /// <summary>Reads a tag number and checks that tags are strictly increasing, as the protocol requires.</summary>
    public static int ReadTag(ref ProtocolReader reader, ref int previous)
    {
        uint tag = reader.ReadUnsignedVarInt();
        if (tag > int.MaxValue || (int)tag <= previous)
        {
            throw new ProtocolException($"Tagged field {tag} is out of order or too large.");
        }
        previous = (int)tag;
        return (int)tag;
    }

    public static int ReadSize(ref ProtocolReader reader)
    {
        uint size = reader.ReadUnsignedVarInt();
        if (size > (uint)reader.Remaining)
        {
            throw new ProtocolException($"Tagged field size {size} is past the end of the buffer.");
        }
        return (int)size;
    }

    public static int SizeOfRaw(List<RawTaggedField>? fields)
    {
        int size = 0;
        if (fields is null)
        {
            return 0;
        }
        foreach (RawTaggedField field in fields)
        {
            size += ProtocolSizes.UnsignedVarInt((uint)field.Tag) + ProtocolSizes.UnsignedVarInt((uint)field.Data.Length) + field.Data.Length;
        }
        return size;
    }

    public static void WriteRaw(ref ProtocolWriter writer, RawTaggedField field)
    {
        writer.WriteUnsignedVarInt((uint)field.Tag);
        writer.WriteUnsignedVarInt((uint)field.Data.Length);
        writer.WriteRaw(field.Data.Span);
    }
}
