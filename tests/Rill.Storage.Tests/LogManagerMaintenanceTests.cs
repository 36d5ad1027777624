namespace Rill.Storage.Tests;

/// <summary>The log manager's own background work: retention, delayed deletion and checkpoints, started and stopped by its owner.</summary>
public sealed class LogManagerMaintenanceTests
{
    /// <summary>
    /// Waits (bounded) for <paramref name="condition"/>, moving the fake clock 1 ms per poll so the
    /// maintenance loop's timer (which runs on that clock) keeps ticking; 15 s of polling is at most
    /// 1.5 s of fake time, well inside the 5 s deletion delay the test checks.
    /// </summary>
    private static Task WaitUntil(FakeTimeProvider time, Func<bool> condition, string what)
        => Eventually.TrueAsync(() =>
        {
            if (condition())
            {
                return true;
            }
            time.Advance(TimeSpan.FromMilliseconds(1));
            return condition();
        }, what, TimeSpan.FromSeconds(15));

    [Fact]
    public async Task Started_maintenance_applies_retention_checkpoints_the_new_log_start_and_deletes_files_after_the_delay()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        long now = time.NowMs;
        var config = new LogConfig { SegmentBytes = 400, RetentionMs = 60_000, FileDeleteDelayMs = 5_000 };
        using LogManager logs = LogManager.Open(dir.Path, _ => config, time);
        var tp = new TopicPartition("t", 0);
        PartitionLog log = logs.GetOrCreateLog(tp, config);
        for (int i = 0; i < 10; i++) log.AppendCopy(TestBatch.Create(2, now - 120_000, valueSize: 50));
        for (int i = 0; i < 10; i++) log.AppendCopy(TestBatch.Create(2, now, valueSize: 50));

        logs.StartMaintenance(new LogMaintenanceOptions { FlushSchedulerIntervalMs = 10, RetentionCheckIntervalMs = 1 });
        await WaitUntil(time, () => log.LogStartOffset > 0, "retention moved the log start");
        string checkpoint = Path.Combine(dir.Path, LogManager.LogStartOffsetCheckpointFile);
        await WaitUntil(time, () => OffsetCheckpointFile.TryRead(checkpoint, out var starts) && starts.GetValueOrDefault(tp) == log.LogStartOffset,
            "the log start checkpoint holds the new start");
        Assert.NotEmpty(Directory.EnumerateFiles(log.Directory, "*.deleted"));

        time.Advance(TimeSpan.FromSeconds(5));
        await WaitUntil(time, () => !Directory.EnumerateFiles(log.Directory, "*.deleted").Any(), "the delayed deletion ran");

        await logs.StopMaintenanceAsync();
        await logs.StopMaintenanceAsync(); // stopping twice is harmless, and Dispose stops it too
        Assert.Throws<InvalidOperationException>(() => logs.StartMaintenance(new LogMaintenanceOptions()));
    }

    [Fact]
    public async Task A_cleaner_is_started_only_when_asked_for_and_stopped_with_the_manager()
    {
        using var dir = new TempDirectory();
        LogManager withoutCleaner = LogManager.Open(dir.Sub("a"), _ => LogConfig.Default);
        withoutCleaner.StartMaintenance(new LogMaintenanceOptions());
        Assert.Null(withoutCleaner.Cleaner);
        withoutCleaner.Dispose();

        using LogManager withCleaner = LogManager.Open(dir.Sub("b"), _ => LogConfig.Default);
        Cleaning.LogCleaner? seen = null;
        withCleaner.StartMaintenance(new LogMaintenanceOptions { Cleaner = new Cleaning.LogCleanerOptions { BackoffMs = 10 } }, c => seen = c);
        Assert.NotNull(withCleaner.Cleaner);
        Assert.Same(withCleaner.Cleaner, seen);
        await withCleaner.StopMaintenanceAsync();
    }
}
