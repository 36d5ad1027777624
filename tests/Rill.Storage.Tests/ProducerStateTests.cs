using Rill.Protocol;

namespace Rill.Storage.Tests;

public sealed class ProducerStateTests
{
    private const long Pid = 4242;

    private static PartitionLog Open(string path, LogConfig? config = null)
        => PartitionLog.Open(path, config ?? new LogConfig(), new LogOpenOptions { Time = new FakeTimeProvider() });

    private static byte[] Idempotent(int records, short epoch, int baseSeq, long pid = Pid)
        => TestBatch.Create(records, 1000, producerId: pid, producerEpoch: epoch, baseSequence: baseSeq);

    [Fact]
    public void A_retried_batch_is_answered_with_its_original_offsets_and_not_written_again()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        AppendResult first = log.AppendCopy(Idempotent(3, 0, 0));
        AppendResult second = log.AppendCopy(Idempotent(2, 0, 3));
        long end = log.LogEndOffset;

        AppendResult retry = log.AppendCopy(Idempotent(3, 0, 0));
        Assert.Equal(ErrorCode.None, retry.Error);
        Assert.True(retry.IsDuplicate);
        Assert.Equal((first.FirstOffset, first.LastOffset), (retry.FirstOffset, retry.LastOffset));
        AppendResult retry2 = log.AppendCopy(Idempotent(2, 0, 3));
        Assert.Equal((second.FirstOffset, second.LastOffset), (retry2.FirstOffset, retry2.LastOffset));
        Assert.Equal(end, log.LogEndOffset);
    }

    [Fact]
    public void Only_the_last_five_batches_are_remembered()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        for (int i = 0; i < 6; i++) log.AppendCopy(Idempotent(1, 0, i));
        Assert.True(log.AppendCopy(Idempotent(1, 0, 1)).IsDuplicate);
        AppendResult tooOld = log.AppendCopy(Idempotent(1, 0, 0));
        Assert.False(tooOld.IsDuplicate);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, tooOld.Error);
    }

    [Fact]
    public void A_sequence_gap_is_out_of_order()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        log.AppendCopy(Idempotent(3, 0, 0));
        AppendResult gap = log.AppendCopy(Idempotent(1, 0, 5));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, gap.Error);
        Assert.Equal(3, log.LogEndOffset);
        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(1, 0, 3)).Error);
    }

    [Fact]
    public void Epochs_bump_from_sequence_zero_and_older_epochs_are_fenced()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        log.AppendCopy(Idempotent(2, 0, 0));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, log.AppendCopy(Idempotent(1, 1, 7)).Error);
        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(1, 1, 0)).Error);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, log.AppendCopy(Idempotent(1, 0, 2)).Error);
        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(1, 1, 1)).Error);
    }

    [Fact]
    public void An_unknown_producer_may_start_at_any_sequence()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(2, 3, 500)).Error);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, log.AppendCopy(Idempotent(1, 3, 600)).Error);
        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(1, 3, 502)).Error);
    }

    [Fact]
    public void Sequences_wrap_at_int_max()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(2, 0, int.MaxValue - 2)).Error);
        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(3, 0, int.MaxValue)).Error); // int.MaxValue, 0, 1
        Assert.True(log.AppendCopy(Idempotent(3, 0, int.MaxValue)).IsDuplicate);
        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(1, 0, 2)).Error);
    }

    [Fact]
    public void Batches_of_one_producer_in_one_append_follow_each_other()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        log.AppendCopy(Idempotent(1, 0, 0));
        Assert.Equal(ErrorCode.None, log.Append(TestBatch.Concat(Idempotent(2, 0, 1), Idempotent(2, 0, 3))).Error);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber,
            log.Append(TestBatch.Concat(Idempotent(1, 0, 5), Idempotent(1, 0, 7))).Error);
        Assert.Equal(5, log.LogEndOffset);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Producer_state_survives_a_restart(bool clean)
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        var config = new LogConfig { SegmentBytes = 400 };
        var originals = new List<AppendResult>();
        using (PartitionLog log = Open(path, config))
        {
            for (int i = 0; i < 12; i++) originals.Add(log.AppendCopy(Idempotent(1, 0, i, pid: Pid)));
            log.AppendCopy(Idempotent(2, 5, 0, pid: Pid + 1));
            Assert.True(log.SegmentCount > 1);
            if (clean) log.Close(); else log.CloseWithoutCleanShutdown();
        }
        if (!clean)
        {
            // A crash may leave no snapshot newer than the last roll: the rest is replayed from the log.
            foreach (string f in Directory.GetFiles(path, "*.snapshot")) File.Delete(f);
        }
        using (PartitionLog log = Open(path, config))
        {
            Assert.Equal(clean, log.OpenedAfterCleanShutdown);
            Assert.Equal(2, log.ProducerCount);
            AppendResult dup = log.AppendCopy(Idempotent(1, 0, 10, pid: Pid));
            Assert.True(dup.IsDuplicate);
            Assert.Equal(originals[10].FirstOffset, dup.FirstOffset);
            Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, log.AppendCopy(Idempotent(1, 0, 20, pid: Pid)).Error);
            Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(1, 0, 12, pid: Pid)).Error);
            Assert.Equal(ErrorCode.InvalidProducerEpoch, log.AppendCopy(Idempotent(1, 4, 2, pid: Pid + 1)).Error);
            Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(1, 5, 2, pid: Pid + 1)).Error);
        }
    }

    [Fact]
    public void A_corrupt_snapshot_falls_back_to_replaying_the_log()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        using (PartitionLog log = Open(path))
        {
            for (int i = 0; i < 4; i++) log.AppendCopy(Idempotent(1, 0, i));
            log.Close();
        }
        foreach (string f in Directory.GetFiles(path, "*.snapshot")) File.WriteAllBytes(f, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        using (PartitionLog log = Open(path))
        {
            Assert.True(log.AppendCopy(Idempotent(1, 0, 3)).IsDuplicate);
            Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(1, 0, 4)).Error);
        }
    }

    [Fact]
    public void Truncation_rolls_producer_state_back()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"), new LogConfig { SegmentBytes = 300 });
        for (int i = 0; i < 8; i++) log.AppendCopy(Idempotent(1, 0, i));
        Assert.True(log.SegmentCount > 1);
        Assert.Equal(5, log.TruncateTo(5));
        Assert.Equal(5, log.LogEndOffset);
        AppendResult again = log.AppendCopy(Idempotent(1, 0, 5));
        Assert.Equal(ErrorCode.None, again.Error);
        Assert.False(again.IsDuplicate);
        Assert.Equal(5, again.FirstOffset);
        AppendReadTests.AssertEveryOffsetReadable(log);
    }
}
