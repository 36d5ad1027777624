namespace Rill.Protocol;

/// <summary>Malformed bytes on the wire: a length past the end, a bad varint, invalid UTF-8, a missing field.</summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException(string message) : base(message)
    {
    }
}
