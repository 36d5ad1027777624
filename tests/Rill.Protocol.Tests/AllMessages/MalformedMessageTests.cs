using static Rill.Protocol.Tests.AllMessages.MessageFactory;

namespace Rill.Protocol.Tests.AllMessages;

/// <summary>
/// Hostile input to every generated message, every version: any truncation of a valid encoding
/// throws <see cref="ProtocolException"/>, and overwriting any byte either parses or throws
/// <see cref="ProtocolException"/> - never IndexOutOfRange, OutOfMemory, overflow or a hang.
/// </summary>
public class MalformedMessageTests
{
    public static IEnumerable<object[]> Cases() => MessageFactory.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_truncation_throws_a_protocol_exception(string typeName, short version)
    {
        Type type = MessageType(typeName);
        byte[] whole = Write((IApiMessage)Populate(type), version);
        for (int cut = 0; cut < whole.Length; cut++)
        {
            byte[] part = whole[..cut];
            var message = (IApiMessage)Activator.CreateInstance(type)!;
            Exception? error = Record.Exception(() => { var reader = new ProtocolReader(part); message.Read(ref reader, version); });
            Assert.True(error is ProtocolException, $"{typeName} v{version} cut at {cut} of {whole.Length}: {error?.GetType().Name ?? "no exception"} {error?.Message}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Overwriting_any_byte_parses_or_throws_a_protocol_exception(string typeName, short version)
    {
        Type type = MessageType(typeName);
        byte[] whole = Write((IApiMessage)Populate(type), version);
        byte[] replacements = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF];
        for (int i = 0; i < whole.Length; i++)
        {
            foreach (byte value in replacements)
            {
                byte[] bad = (byte[])whole.Clone();
                bad[i] = value;
                var message = (IApiMessage)Activator.CreateInstance(type)!;
                Exception? error = Record.Exception(() => { var reader = new ProtocolReader(bad); message.Read(ref reader, version); });
                Assert.True(error is null or ProtocolException, $"{typeName} v{version} byte {i} = {value:X2}: {error}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Trailing_garbage_is_left_unread(string typeName, short version)
    {
        // A body is read field by field; the framing layer, not the message, owns the frame length.
        Type type = MessageType(typeName);
        byte[] whole = Write((IApiMessage)Populate(type), version);
        byte[] longer = [.. whole, 0xAB, 0xCD];
        var message = (IApiMessage)Activator.CreateInstance(type)!;
        var reader = new ProtocolReader(longer);
        message.Read(ref reader, version);
        Assert.Equal(2, reader.Remaining);
    }
}
