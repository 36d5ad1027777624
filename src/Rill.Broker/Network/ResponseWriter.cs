using System.Buffers;
using System.Buffers.Binary;
using Rill.Protocol;

namespace Rill.Broker.Network;

/// <summary>Writes a size-prefixed response frame: size, response header, body. Sizes are computed first.</summary>
internal static class ResponseWriter
{
    public static int Write(IBufferWriter<byte> output, ApiKey key, short version, int correlationId, IApiMessage response)
    {
        bool flexibleHeader = ApiMessageVersions.ResponseHeaderVersion(key, version) >= 1;
        int headerSize = 4 + (flexibleHeader ? 1 : 0);
        int bodySize = response.ComputeSize(version);
        int frameSize = headerSize + bodySize;

        Span<byte> span = output.GetSpan(4 + frameSize)[..(4 + frameSize)];
        BinaryPrimitives.WriteInt32BigEndian(span, frameSize);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], correlationId);
        if (flexibleHeader)
        {
            span[8] = 0; // no tagged fields in the response header
        }
        var writer = new ProtocolWriter(span[(4 + headerSize)..]);
        response.Write(ref writer, version);
        output.Advance(4 + frameSize);
        return 4 + frameSize;
    }
}
