using System.Collections;
using System.Reflection;

namespace Rill.Protocol.Tests;

/// <summary>
/// Every generated message, every version: a populated instance writes exactly ComputeSize bytes,
/// reads back, and writes the same bytes again.
/// </summary>
public class MessageRoundTripTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (Type type in typeof(IApiMessage).Assembly.GetTypes()
                     .Where(t => t.Namespace == "Rill.Protocol.Messages" && typeof(IApiMessage).IsAssignableFrom(t))
                     .OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            short low = (short)type.GetField("LowestSupportedVersion")!.GetValue(null)!;
            short high = (short)type.GetField("HighestSupportedVersion")!.GetValue(null)!;
            for (short v = low; v <= high; v++)
            {
                yield return [type.Name, v];
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Populated_message_round_trips(string typeName, short version)
    {
        Type type = typeof(IApiMessage).Assembly.GetType("Rill.Protocol.Messages." + typeName)!;
        var message = (IApiMessage)Populate(type, depth: 0);
        byte[] first = Write(message, version);

        var copy = (IApiMessage)Activator.CreateInstance(type)!;
        var reader = new ProtocolReader(first);
        copy.Read(ref reader, version);
        Assert.Equal(first.Length, reader.Position);
        Assert.Equal(first, Write(copy, version));
    }

    [Fact]
    public void Fields_present_in_a_version_keep_their_values()
    {
        var request = new Messages.ProduceRequest { TransactionalId = "tx", Acks = -1, TimeoutMs = 1500 };
        request.TopicData.Add(new() { Name = "t", PartitionData = [new() { Index = 3, Records = new byte[] { 1, 2, 3 } }] });
        foreach (short version in new short[] { 3, 9, 11 })
        {
            var copy = new Messages.ProduceRequest();
            var reader = new ProtocolReader(Write(request, version));
            copy.Read(ref reader, version);
            Assert.Equal(("tx", (short)-1, 1500, "t", 3), (copy.TransactionalId, copy.Acks, copy.TimeoutMs, copy.TopicData[0].Name, copy.TopicData[0].PartitionData[0].Index));
            Assert.Equal(new byte[] { 1, 2, 3 }, copy.TopicData[0].PartitionData[0].Records!.Value.ToArray());
        }
        var v2 = new Messages.ProduceRequest();
        var r2 = new ProtocolReader(Write(request, 2));
        v2.Read(ref r2, 2);
        Assert.Null(v2.TransactionalId);   // not in v2
    }

    private static byte[] Write(IApiMessage message, short version)
    {
        byte[] buffer = new byte[message.ComputeSize(version)];
        var writer = new ProtocolWriter(buffer);
        message.Write(ref writer, version);
        Assert.Equal(buffer.Length, writer.Position);
        return buffer;
    }

    private static object Populate(Type type, int depth)
    {
        object instance = Activator.CreateInstance(type)!;
        int seed = 1;
        foreach (PropertyInfo property in type.GetProperties().Where(p => p.CanWrite && p.Name != "UnknownTaggedFields"))
        {
            object? value = ValueFor(property.PropertyType, depth, seed++);
            if (value is not null)
            {
                property.SetValue(instance, value);
            }
        }
        return instance;
    }

    private static object? ValueFor(Type type, int depth, int seed)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(bool)) return true;
        if (t == typeof(sbyte)) return (sbyte)(seed % 100);
        if (t == typeof(short)) return (short)(seed * 7);
        if (t == typeof(ushort)) return (ushort)(seed * 9);
        if (t == typeof(int)) return seed * 1001;
        if (t == typeof(long)) return seed * 100_000_007L;
        if (t == typeof(double)) return seed + 0.5;
        if (t == typeof(Guid)) return new Guid($"00000000-0000-0000-0000-{seed:D12}");
        if (t == typeof(string)) return $"s{seed}-é";
        if (t == typeof(ReadOnlyMemory<byte>)) return new ReadOnlyMemory<byte>([(byte)seed, 2, 3]);
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(t)!;
            Type element = t.GetGenericArguments()[0];
            if (depth < 4)
            {
                for (int i = 0; i < 2; i++)
                {
                    list.Add(element.IsClass && element != typeof(string) ? Populate(element, depth + 1) : ValueFor(element, depth + 1, seed + i));
                }
            }
            return list;
        }
        if (t.IsClass && t.Namespace == "Rill.Protocol.Messages")
        {
            return depth < 4 ? Populate(t, depth + 1) : null;
        }
        return null;
    }
}
