using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace Rill.Server.Diagnostics;

/// <summary>
/// A diagnostic log of the runtime's GC, allocation, thread-pool and lock-contention events, written
/// by the broker itself when the environment variable <see cref="EnvironmentVariable"/> names a file
/// (bench/latency-after-traffic.sh sets it; nothing listens otherwise). One tab-separated line per
/// event, prefixed by the Unix time in milliseconds, so that a benchmark can summarise the events of
/// one phase of a run:
/// <list type="bullet">
/// <item><c>gc</c>: one per collection: number, generation, reason, type (0 blocking, 1 background),
/// pause in ms (from the execution engine's suspension to its restart, the time threads were stopped),
/// and bytes promoted out of generation 0/1, generation 2 size, LOH size and POH size after it.</item>
/// <item><c>alloc</c>: the runtime's allocation sample (every ~100 KB allocated on a thread): kind
/// (0 small object heap, 1 large object heap, 2 pinned), bytes since the last sample, the type name.</item>
/// <item><c>tp</c>: a thread-pool worker count adjustment: new count, reason (6 = starvation).</item>
/// <item><c>lock</c>: a contended lock: wait in ms.</item>
/// </list>
/// Events come from an in-process EventListener (the same events EventPipe / dotnet-trace collect),
/// without any tool attached to the process.
/// </summary>
internal sealed class RuntimeEventLog : EventListener
{
    public const string EnvironmentVariable = "RILL_RUNTIME_EVENT_LOG";

    // Microsoft-Windows-DotNETRuntime keywords.
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const EventKeywords ContentionKeyword = (EventKeywords)0x4000;
    private const EventKeywords ThreadingKeyword = (EventKeywords)0x10000;

    private readonly object _gate = new();
    private readonly StreamWriter _out;
    private readonly StringBuilder _line = new();
    private long _suspendTicks;
    private bool _enabled;
    // The collection being timed: GCStart arrives after the suspension began, GCEnd before the restart.
    private long _gcIndex = -1;
    private int _gcGeneration, _gcReason, _gcType;

    private RuntimeEventLog(StreamWriter output)
    {
        _out = output;
        lock (_gate)
        {
            _enabled = true; // events that arrived while the base constructor enabled the source were dropped
        }
    }

    /// <summary>Starts the log when the environment asks for it; null otherwise.</summary>
    public static RuntimeEventLog? StartFromEnvironment()
    {
        string? path = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(path) ? null : Start(path);
    }

    /// <summary>Starts a log written to <paramref name="path"/> (created or truncated).</summary>
    public static RuntimeEventLog Start(string path)
    {
        var writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read), new UTF8Encoding(false))
        {
            AutoFlush = false,
        };
        return new RuntimeEventLog(writer);
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            // Verbose: the allocation samples (GCAllocationTick) are verbose-level GC events.
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword | ContentionKeyword | ThreadingKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_gate)
        {
            if (!_enabled)
            {
                return;
            }
            switch (e.EventName)
            {
                case "GCSuspendEEBegin_V1":
                    _suspendTicks = e.TimeStamp.Ticks;
                    break;
                case "GCStart_V2":
                    _gcIndex = ToLong(e, "Count");
                    _gcGeneration = (int)ToLong(e, "Depth");
                    _gcReason = (int)ToLong(e, "Reason");
                    _gcType = (int)ToLong(e, "Type");
                    break;
                case "GCHeapStats_V2":
                    _heap = (ToLong(e, "TotalPromotedSize0") + ToLong(e, "TotalPromotedSize1"), ToLong(e, "GenerationSize2"),
                        ToLong(e, "GenerationSize3"), ToLong(e, "GenerationSize4"));
                    break;
                case "GCRestartEEEnd_V1":
                    if (_gcIndex >= 0 && _suspendTicks != 0)
                    {
                        double pauseMs = (e.TimeStamp.Ticks - _suspendTicks) / (double)TimeSpan.TicksPerMillisecond;
                        Write(e, "gc", _gcIndex, _gcGeneration, _gcReason, _gcType, pauseMs.ToString("F3", CultureInfo.InvariantCulture),
                            _heap.Promoted, _heap.Gen2, _heap.Loh, _heap.Poh);
                    }
                    _gcIndex = -1;
                    _suspendTicks = 0;
                    break;
                case "GCAllocationTick_V4":
                    Write(e, "alloc", ToLong(e, "AllocationKind"), ToLong(e, "AllocationAmount64"), ToText(e, "TypeName"));
                    break;
                case "ThreadPoolWorkerThreadAdjustmentAdjustment":
                    Write(e, "tp", ToLong(e, "NewWorkerThreadCount"), ToLong(e, "Reason"));
                    break;
                case "ContentionStop_V1":
                    Write(e, "lock", (ToDouble(e, "DurationNs") / 1e6).ToString("F3", CultureInfo.InvariantCulture));
                    break;
            }
        }
    }

    private (long Promoted, long Gen2, long Loh, long Poh) _heap;

    private void Write(EventWrittenEventArgs e, string kind, params object?[] fields)
    {
        _line.Clear();
        _line.Append(new DateTimeOffset(e.TimeStamp.ToUniversalTime()).ToUnixTimeMilliseconds()).Append('\t').Append(kind);
        foreach (object? field in fields)
        {
            _line.Append('\t').Append(Convert.ToString(field, CultureInfo.InvariantCulture));
        }
        _out.WriteLine(_line);
        if (kind == "gc")
        {
            _out.Flush(); // readable while the broker runs; collections are rare enough
        }
    }

    private static string ToText(EventWrittenEventArgs e, string name)
        => e.PayloadNames?.IndexOf(name) is int i and >= 0 ? Convert.ToString(e.Payload![i], CultureInfo.InvariantCulture) ?? "?" : "?";

    private static long ToLong(EventWrittenEventArgs e, string name)
        => e.PayloadNames?.IndexOf(name) is int i and >= 0 ? Convert.ToInt64(e.Payload![i], CultureInfo.InvariantCulture) : -1;

    private static double ToDouble(EventWrittenEventArgs e, string name)
        => e.PayloadNames?.IndexOf(name) is int i and >= 0 ? Convert.ToDouble(e.Payload![i], CultureInfo.InvariantCulture) : -1;

    public override void Dispose()
    {
        lock (_gate)
        {
            if (_enabled)
            {
                _enabled = false;
                _out.Flush();
                _out.Dispose();
            }
        }
        base.Dispose();
    }
}
