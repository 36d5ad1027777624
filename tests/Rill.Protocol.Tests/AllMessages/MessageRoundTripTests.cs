using System.Collections;
using System.Reflection;
using static Rill.Protocol.Tests.AllMessages.MessageFactory;

namespace Rill.Protocol.Tests.AllMessages;

/// <summary>
/// Every generated message, every version, one test case each: a populated instance writes exactly
/// ComputeSize bytes, reads back, writes the same bytes again, and every field the version carries
/// keeps its value. Fields the version lacks come back as their defaults, and changing them does
/// not change the bytes.
/// </summary>
public class MessageRoundTripTests
{
    public static IEnumerable<object[]> Cases() => MessageFactory.Cases();

    [Fact]
    public void There_are_messages_to_test()
    {
        Assert.True(MessageTypes().Count() >= 30, "the reflection over Rill.Protocol.Messages found too few message classes");
        Assert.Contains(MessageTypes(), t => t.Name == "ProduceRequest");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Populated_message_round_trips_byte_for_byte(string typeName, short version)
    {
        Type type = MessageType(typeName);
        var message = (IApiMessage)Populate(type);
        byte[] first = Write(message, version);
        IApiMessage copy = Read(type, first, version);
        Assert.Equal(first, Write(copy, version));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fields_present_in_the_version_keep_their_values(string typeName, short version)
    {
        Type type = MessageType(typeName);
        var message = (IApiMessage)Populate(type);
        byte[] first = Write(message, version);
        IApiMessage copy = Read(type, first, version);
        var failures = new List<string>();
        Compare(message, copy, typeName, () => Write(message, version), first, IsFlexible(type, version), failures);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Default_instance_round_trips(string typeName, short version)
    {
        Type type = MessageType(typeName);
        var message = (IApiMessage)Activator.CreateInstance(type)!;
        byte[] first = Write(message, version);
        IApiMessage copy = Read(type, first, version);
        Assert.Equal(first, Write(copy, version));
    }

    /// <summary>
    /// Walks original and copy side by side. A field whose value did not survive must be one the
    /// version does not carry: the copy holds the default, and the original's bytes do not depend on it.
    /// </summary>
    private static void Compare(object original, object copy, string path, Func<byte[]> write, byte[] bytes, bool flexible, List<string> failures)
    {
        Type type = original.GetType();
        object fresh = Activator.CreateInstance(type)!;
        foreach (PropertyInfo property in Fields(type))
        {
            object? a = property.GetValue(original);
            object? b = property.GetValue(copy);
            string where = $"{path}.{property.Name}";
            if (Same(a, b))
            {
                continue;
            }
            if (a is not null && b is not null && IsStruct(property.PropertyType))
            {
                Compare(a, b, where, write, bytes, flexible, failures);
                continue;
            }
            if (a is IList la && b is IList lb && la.Count == lb.Count && IsStruct(property.PropertyType.GetGenericArguments()[0]))
            {
                for (int i = 0; i < la.Count; i++)
                {
                    Compare(la[i]!, lb[i]!, $"{where}[{i}]", write, bytes, flexible, failures);
                }
                continue;
            }
            object? defaultValue = property.GetValue(fresh);
            if (!Same(b, defaultValue))
            {
                failures.Add($"{where}: wrote {Show(a)}, read {Show(b)} (default {Show(defaultValue)})");
                continue;
            }
            property.SetValue(original, defaultValue);
            bool unchanged = write().AsSpan().SequenceEqual(bytes);
            property.SetValue(original, a);
            if (!unchanged)
            {
                failures.Add($"{where}: is written ({Show(a)}) but reads back as the default {Show(b)}");
            }
        }
        PropertyInfo? tags = type.GetProperty("UnknownTaggedFields");
        if (tags is not null)
        {
            var expected = flexible ? (List<RawTaggedField>?)tags.GetValue(original) : null;
            var actual = (List<RawTaggedField>?)tags.GetValue(copy);
            string e = string.Join(",", expected?.Select(f => $"{f.Tag}:{Convert.ToHexString(f.Data.Span)}") ?? []);
            string g = string.Join(",", actual?.Select(f => $"{f.Tag}:{Convert.ToHexString(f.Data.Span)}") ?? []);
            if (e != g)
            {
                failures.Add($"{path}.UnknownTaggedFields: wrote [{e}], read [{g}]");
            }
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        ReadOnlyMemory<byte> m => Convert.ToHexString(m.Span),
        IList l => $"list of {l.Count}",
        _ => value.ToString() ?? "?",
    };
}
