using System.Collections.Concurrent;
using System.Reflection;
using Rill.Protocol;

namespace Rill.Broker.Metrics;

/// <summary>
/// Counts the error codes a response carries (<c>rill.response.errors</c>, Kafka's
/// <c>RequestMetrics ErrorsPerSec,request=R,error=E</c>): every <c>short</c> property named
/// <c>ErrorCode</c> or <c>...ErrorCode</c>, at the top level and inside nested lists (topics,
/// partitions, groups). The walk for a response type is built once from reflection as typed getter
/// delegates (no expression trees, no boxing); tag lists are cached per API and error code, so
/// counting allocates nothing. Only non-zero codes are counted. Nothing runs while no metrics reader
/// listens.
/// </summary>
internal static class ResponseErrors
{
    private const int MaxApiKey = 128, MinCode = -1, MaxCode = 255;
    private static readonly ConcurrentDictionary<Type, Walker> Walkers = new();
    private static readonly KeyValuePair<string, object?>[]?[] Tags = new KeyValuePair<string, object?>[]?[MaxApiKey * (MaxCode - MinCode + 1)];

    public static void Count(ApiKey api, IApiMessage response)
    {
        if (!BrokerMeters.ResponseErrors.Enabled)
        {
            return;
        }
        Walkers.GetOrAdd(response.GetType(), Build).Visit(response, api);
    }

    private static void Add(ApiKey api, short code)
    {
        if (code == 0)
        {
            return;
        }
        int k = (int)api;
        if ((uint)k >= MaxApiKey || code < MinCode || code > MaxCode)
        {
            BrokerMeters.ResponseErrors.Add(1, [new("api", api.ToString()), new("error", ((ErrorCode)code).ToString())]);
            return;
        }
        ref KeyValuePair<string, object?>[]? slot = ref Tags[k * (MaxCode - MinCode + 1) + code - MinCode];
        BrokerMeters.ResponseErrors.Add(1, slot ??= [new("api", api.ToString()), new("error", ((ErrorCode)code).ToString())]);
    }

    /// <summary>The error-code fields of one message type and the lists of nested messages to descend into.</summary>
    private abstract class Walker
    {
        public abstract void Visit(object message, ApiKey api);
    }

    private sealed class Walker<T>(Func<T, short>[] codes, Walker[] lists) : Walker where T : class
    {
        public override void Visit(object message, ApiKey api)
        {
            var typed = (T)message;
            foreach (Func<T, short> code in codes)
            {
                Add(api, code(typed));
            }
            foreach (Walker list in lists)
            {
                list.Visit(typed, api);
            }
        }
    }

    /// <summary>Visits each item of one <c>List&lt;TItem&gt;</c> property of <typeparamref name="T"/>.</summary>
    private sealed class ListWalker<T, TItem>(Func<T, List<TItem>?> get, Walker item) : Walker where T : class where TItem : class
    {
        public override void Visit(object message, ApiKey api)
        {
            if (get((T)message) is not { } items)
            {
                return;
            }
            for (int i = 0; i < items.Count; i++)
            {
                item.Visit(items[i], api);
            }
        }
    }

    private static readonly Walker Nothing = new Walker<object>([], []);

    private static Walker Build(Type type) => Build(type, depth: 0);

    private static Walker Build(Type type, int depth)
    {
        if (depth > 6)
        {
            return Nothing;
        }
        var codes = new List<Delegate>();
        var lists = new List<Walker>();
        foreach (PropertyInfo p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetMethod is null || p.GetIndexParameters().Length != 0)
            {
                continue;
            }
            if (p.PropertyType == typeof(short) && p.Name.EndsWith("ErrorCode", StringComparison.Ordinal))
            {
                codes.Add(p.GetMethod.CreateDelegate(typeof(Func<,>).MakeGenericType(type, typeof(short))));
            }
            else if (p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(List<>)
                && p.PropertyType.GetGenericArguments()[0] is { IsClass: true } item
                && item.Namespace == typeof(Protocol.Messages.ProduceResponse).Namespace)
            {
                Walker inner = Build(item, depth + 1);
                Delegate getter = p.GetMethod.CreateDelegate(typeof(Func<,>).MakeGenericType(type, p.PropertyType));
                lists.Add((Walker)Activator.CreateInstance(typeof(ListWalker<,>).MakeGenericType(type, item), getter, inner)!);
            }
        }
        Type codeType = typeof(Func<,>).MakeGenericType(type, typeof(short));
        Array typedCodes = Array.CreateInstance(codeType, codes.Count);
        for (int i = 0; i < codes.Count; i++)
        {
            typedCodes.SetValue(codes[i], i);
        }
        return (Walker)Activator.CreateInstance(typeof(Walker<>).MakeGenericType(type), typedCodes, lists.ToArray())!;
    }
}
