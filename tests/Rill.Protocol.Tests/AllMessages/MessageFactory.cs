using System.Collections;
using System.Reflection;

namespace Rill.Protocol.Tests.AllMessages;

/// <summary>
/// Reflection helpers over the generated message classes: every top-level message type, populated
/// instances (every settable property given a value different from its default, lists of two,
/// nested structs recursively, unknown tagged fields on every struct), and writing to bytes.
/// </summary>
internal static class MessageFactory
{
    /// <summary>Unknown tags put on every struct: above any tag a definition uses, so they stay unknown.</summary>
    public static readonly int[] UnknownTags = [90, 200];

    public static IEnumerable<Type> MessageTypes() => typeof(IApiMessage).Assembly.GetTypes()
        .Where(t => t.Namespace == "Rill.Protocol.Messages" && !t.IsNested && typeof(IApiMessage).IsAssignableFrom(t))
        .OrderBy(t => t.Name, StringComparer.Ordinal);

    public static Type MessageType(string name) => typeof(IApiMessage).Assembly.GetType("Rill.Protocol.Messages." + name)
        ?? throw new InvalidOperationException($"No message class {name}.");

    public static short Constant(Type type, string name) => (short)type.GetField(name)!.GetValue(null)!;

    /// <summary>Every (message class name, version) pair the generated code supports.</summary>
    public static IEnumerable<object[]> Cases()
    {
        foreach (Type type in MessageTypes())
        {
            short low = Constant(type, "LowestSupportedVersion");
            short high = Constant(type, "HighestSupportedVersion");
            for (short v = low; v <= high; v++)
            {
                yield return [type.Name, v];
            }
        }
    }

    public static bool IsFlexible(Type type, short version) => version >= Constant(type, "LowestFlexibleVersion");

    public static byte[] Write(IApiMessage message, short version)
    {
        int size = message.ComputeSize(version);
        byte[] buffer = new byte[size];
        var writer = new ProtocolWriter(buffer);
        message.Write(ref writer, version);
        Assert.True(size == writer.Position, $"{message.GetType().Name} v{version}: ComputeSize {size} but Write wrote {writer.Position} bytes.");
        return buffer;
    }

    public static IApiMessage Read(Type type, byte[] bytes, short version)
    {
        var message = (IApiMessage)Activator.CreateInstance(type)!;
        var reader = new ProtocolReader(bytes);
        message.Read(ref reader, version);
        Assert.True(reader.Remaining == 0, $"{type.Name} v{version}: {reader.Remaining} bytes left unread.");
        return message;
    }

    public static IEnumerable<PropertyInfo> Fields(Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.Name != "UnknownTaggedFields");

    public static object Populate(Type type, int depth = 0)
    {
        object instance = Activator.CreateInstance(type)!;
        int seed = 1 + depth * 50;
        foreach (PropertyInfo property in Fields(type))
        {
            object? current = property.GetValue(instance);
            object? value = ValueFor(property.PropertyType, depth, seed++, current);
            if (value is not null)
            {
                property.SetValue(instance, value);
            }
        }
        type.GetProperty("UnknownTaggedFields")?.SetValue(instance,
            UnknownTags.Select((tag, i) => new RawTaggedField(tag, new byte[] { (byte)(depth + 1), (byte)i, 0xEE }.AsMemory(0, i == 0 ? 3 : 0))).ToList());
        return instance;
    }

    private static object? ValueFor(Type type, int depth, int seed, object? current)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(bool))
        {
            return current is bool b ? !b : true;
        }
        object value = Candidate(t, depth, seed);
        return Same(value, current) ? Candidate(t, depth, seed + 1000) : value;   // the first choice may be the default
    }

    private static object Candidate(Type t, int depth, int seed)
    {
        if (t == typeof(sbyte)) return (sbyte)(seed % 120 + 1);
        if (t == typeof(short)) return (short)(seed * 7 + 1);
        if (t == typeof(ushort)) return (ushort)(seed * 9 + 40000);
        if (t == typeof(int)) return seed * 1001 + 70000;
        if (t == typeof(long)) return seed * 100_000_007L + (1L << 40);
        if (t == typeof(double)) return seed + 0.5;
        if (t == typeof(Guid)) return new Guid($"0123{seed:D4}-89ab-cdef-0123-456789abcd{seed % 100:D2}");
        if (t == typeof(string)) return $"s{seed}-é€";
        if (t == typeof(ReadOnlyMemory<byte>)) return new ReadOnlyMemory<byte>([(byte)seed, 2, 3, 0xFF]);
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(t)!;
            Type element = t.GetGenericArguments()[0];
            for (int i = 0; i < 2; i++)
            {
                list.Add(IsStruct(element) ? Populate(element, depth + 1) : Candidate(element, depth + 1, seed + i));
            }
            return list;
        }
        if (IsStruct(t))
        {
            return Populate(t, depth + 1);
        }
        throw new InvalidOperationException($"No test value for field type {t}.");
    }

    public static bool IsStruct(Type t) => t.IsClass && t != typeof(string) && t.Namespace == "Rill.Protocol.Messages";

    public static bool IsList(Type t) => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>);

    /// <summary>Structural equality for field values: primitives, strings, Guids, byte memories and lists of them.</summary>
    public static bool Same(object? a, object? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }
        if (a is ReadOnlyMemory<byte> ma && b is ReadOnlyMemory<byte> mb)
        {
            return ma.Span.SequenceEqual(mb.Span);
        }
        if (a is IList la && b is IList lb)
        {
            if (la.Count != lb.Count)
            {
                return false;
            }
            for (int i = 0; i < la.Count; i++)
            {
                if (!Same(la[i], lb[i]))
                {
                    return false;
                }
            }
            return true;
        }
        if (IsStruct(a.GetType()))
        {
            return a.GetType() == b.GetType() && Fields(a.GetType()).All(p => Same(p.GetValue(a), p.GetValue(b)));
        }
        return a.Equals(b);
    }
}
