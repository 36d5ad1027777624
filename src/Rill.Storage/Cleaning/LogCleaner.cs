namespace Rill.Storage.Cleaning;

/// <summary>Settings of the log cleaner, named after Kafka's log.cleaner.* broker properties.</summary>
public sealed record LogCleanerOptions
{
    /// <summary>log.cleaner.backoff.ms: sleep between checks when no log needs cleaning.</summary>
    public long BackoffMs { get; init; } = 15_000;

    /// <summary>log.cleaner.dedupe.buffer.size: memory for the key -> offset map (24 bytes per key, as Kafka counts).</summary>
    public long DedupeBufferSize { get; init; } = 128L * 1024 * 1024;

    internal int MapCapacity => (int)Math.Clamp(DedupeBufferSize / OffsetMap.BytesPerEntry, 1, int.MaxValue);
}

/// <summary>
/// Kafka's log cleaner (log.cleaner.threads = 1): a background loop that picks the dirtiest compacted log that is
/// due (<see cref="PartitionLog.IsCleanable"/>), compacts it (<see cref="PartitionLog.Clean"/>) and records how far
/// it got in cleaner-offset-checkpoint; it sleeps log.cleaner.backoff.ms when nothing is due. A failure on one
/// log is reported and the loop goes on; a clean that a crash interrupts is finished or discarded on open.
/// </summary>
public sealed class LogCleaner : IAsyncDisposable
{
    private readonly LogManager _logs;
    private volatile LogCleanerOptions _options;
    private readonly TimeProvider _time;
    private OffsetMap _map;
    private readonly BatchFilter _filter = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _cleaning = new();
    private Task? _loop;
    private long _bytesCleaned;
    private long _runs;

    public LogCleaner(LogManager logs, LogCleanerOptions? options = null, TimeProvider? time = null)
    {
        _logs = logs ?? throw new ArgumentNullException(nameof(logs));
        _options = options ?? new LogCleanerOptions();
        _time = time ?? TimeProvider.System;
        _map = new OffsetMap(_options.MapCapacity);
    }

    /// <summary>Called after each log is cleaned (for logging and metrics).</summary>
    public event Action<CleanerStats>? Cleaned;

    /// <summary>Called when cleaning a log fails; the log is left as it was (or as a crash would leave it).</summary>
    public event Action<TopicPartition, Exception>? Failed;

    /// <summary>Bytes of log read by all cleanings so far.</summary>
    public long BytesCleaned => Interlocked.Read(ref _bytesCleaned);

    /// <summary>Logs cleaned so far.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Current settings; a change (dynamic broker config) applies from the next clean or sleep.</summary>
    public LogCleanerOptions Options
    {
        get => _options;
        set => _options = value ?? throw new ArgumentNullException(nameof(value));
    }

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Cleans the dirtiest due log, if any; returns what it did, or null when no log is due.</summary>
    public CleanerStats? CleanOnce(CancellationToken cancel = default)
    {
        lock (_cleaning)
        {
            if (_map.Capacity != _options.MapCapacity)
            {
                _map = new OffsetMap(_options.MapCapacity);
            }
            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            TopicPartition best = default;
            PartitionLog? dirtiest = null;
            double bestRatio = -1;
            foreach (TopicPartition tp in _logs.ListPartitions())
            {
                if (_logs.TryGetLog(tp, out PartitionLog log) && TryIsCleanable(log, now, out double ratio) && ratio > bestRatio)
                {
                    (best, dirtiest, bestRatio) = (tp, log, ratio);
                }
            }
            if (dirtiest is null)
            {
                return null;
            }
            try
            {
                CleanerStats stats = dirtiest.Clean(_map, _filter, now, cancel);
                Interlocked.Add(ref _bytesCleaned, stats.BytesRead);
                Interlocked.Increment(ref _runs);
                _logs.Checkpoint();
                Cleaned?.Invoke(stats);
                return stats;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Failed?.Invoke(best, e);
                return null;
            }
            finally
            {
                _map.Clear();
            }
        }
    }

    private static bool TryIsCleanable(PartitionLog log, long now, out double ratio)
    {
        try
        {
            return log.IsCleanable(now, out ratio);
        }
        catch (ObjectDisposedException)
        {
            ratio = 0;
            return false;
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            CleanerStats? stats = null;
            try
            {
                stats = CleanOnce(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (stats is null)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, _options.BackoffMs)), _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _stop.Dispose();
    }
}
