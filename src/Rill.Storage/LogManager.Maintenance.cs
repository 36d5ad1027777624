using Rill.Storage.Cleaning;

namespace Rill.Storage;

/// <summary>The log manager's background work: flush.ms, delayed deletion, retention, checkpoints and the log cleaner.</summary>
public sealed partial class LogManager
{
    private readonly CancellationTokenSource _stopMaintenance = new();
    private Task? _maintenance;
    private LogCleaner? _cleaner;

    /// <summary>Closes and removes the segments whose file.delete.delay.ms has passed, in every log; returns how many.</summary>
    public int DeleteDueSegments()
    {
        int deleted = 0;
        foreach (KeyValuePair<TopicPartition, PartitionLog> kv in _logs)
        {
            try
            {
                deleted += kv.Value.DeleteDueSegments();
            }
            catch (ObjectDisposedException)
            {
                // deleted meanwhile
            }
        }
        return deleted;
    }

    /// <summary>
    /// producer.id.expiration.ms (KIP-854): drops, in every log, the producers idle for <paramref name="expirationMs"/>
    /// with no open transaction; returns how many.
    /// </summary>
    public int RemoveExpiredProducers(long expirationMs)
    {
        int removed = 0;
        foreach (KeyValuePair<TopicPartition, PartitionLog> kv in _logs)
        {
            try
            {
                removed += kv.Value.RemoveExpiredProducers(expirationMs);
            }
            catch (ObjectDisposedException)
            {
                // deleted meanwhile
            }
        }
        return removed;
    }

    /// <summary>The log cleaner, when <see cref="StartMaintenance"/> started one.</summary>
    public LogCleaner? Cleaner => _cleaner;

    /// <summary>Called when a background flush, retention run or checkpoint fails; it is retried on the next tick.</summary>
    public event Action<Exception>? MaintenanceFailed;

    /// <summary>
    /// Starts the background work: every <see cref="LogMaintenanceOptions.FlushSchedulerIntervalMs"/> (capped at 1 s so
    /// flush.ms is honoured) the flush.ms policy and delayed deletions, retention every
    /// <see cref="LogMaintenanceOptions.RetentionCheckIntervalMs"/> (then the log start checkpoint at once), the
    /// checkpoints every <see cref="LogMaintenanceOptions.CheckpointIntervalMs"/>, and the log cleaner when
    /// <see cref="LogMaintenanceOptions.Cleaner"/> is set. The cleaner's events can be subscribed to before
    /// <paramref name="beforeCleanerStarts"/> returns.
    /// </summary>
    public void StartMaintenance(LogMaintenanceOptions options, Action<LogCleaner>? beforeCleanerStarts = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_maintenance is not null || _stopMaintenance.IsCancellationRequested)
        {
            throw new InvalidOperationException("Maintenance was already started.");
        }
        _maintenance = Task.Run(() => MaintainAsync(options, _stopMaintenance.Token));
        if (options.Cleaner is not null)
        {
            _cleaner = new LogCleaner(this, options.Cleaner, _time);
            beforeCleanerStarts?.Invoke(_cleaner);
            _cleaner.Start();
        }
    }

    /// <summary>Stops the background work started by <see cref="StartMaintenance"/> and waits for it.</summary>
    public async ValueTask StopMaintenanceAsync()
    {
        if (_maintenance is not { } maintenance) return;
        await _stopMaintenance.CancelAsync().ConfigureAwait(false);
        if (_cleaner is not null) await _cleaner.DisposeAsync().ConfigureAwait(false);
        await maintenance.ConfigureAwait(false);
        _maintenance = null;
    }

    private async Task MaintainAsync(LogMaintenanceOptions options, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Clamp(options.FlushSchedulerIntervalMs, 10, 1000)), _time);
        long checkpointEvery = Math.Max(1000, options.CheckpointIntervalMs);
        long retentionEvery = Math.Max(1, options.RetentionCheckIntervalMs);
        long lastCheckpoint = _time.GetTimestamp();
        long lastRetention = _time.GetTimestamp();
        long lastProducerExpiry = _time.GetTimestamp();
        long producerExpiryEvery = Math.Max(1, options.ProducerIdExpirationCheckIntervalMs);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    FlushDueLogs();
                    DeleteDueSegments();
                    if (_time.GetElapsedTime(lastRetention).TotalMilliseconds >= retentionEvery)
                    {
                        lastRetention = _time.GetTimestamp();
                        if (ApplyRetention() > 0)
                        {
                            Checkpoint(); // the new log start offsets survive a crash
                            lastCheckpoint = _time.GetTimestamp();
                        }
                    }
                    if (options.ProducerIdExpirationMs is { } producerIdExpirationMs
                        && _time.GetElapsedTime(lastProducerExpiry).TotalMilliseconds >= producerExpiryEvery)
                    {
                        lastProducerExpiry = _time.GetTimestamp();
                        RemoveExpiredProducers(producerIdExpirationMs());
                    }
                    if (_time.GetElapsedTime(lastCheckpoint).TotalMilliseconds >= checkpointEvery)
                    {
                        Checkpoint();
                        lastCheckpoint = _time.GetTimestamp();
                    }
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
                {
                    MaintenanceFailed?.Invoke(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
