namespace Rill.Storage.Tests;

internal static class LogTestExtensions
{
    /// <summary>Appends a copy of <paramref name="batch"/> (the log patches it in place) and returns the result.</summary>
    public static AppendResult AppendCopy(this PartitionLog log, byte[] batch)
    {
        byte[] copy = (byte[])batch.Clone();
        return log.Append(copy);
    }

    /// <summary>Reads and copies out what a fetch would return.</summary>
    public static byte[] ReadBytes(this PartitionLog log, long offset, int maxBytes = int.MaxValue, bool minOneBatch = true)
    {
        LogReadResult r = log.Read(offset, maxBytes, minOneBatch);
        Assert.Equal(Rill.Protocol.ErrorCode.None, r.Error);
        byte[] buffer = new byte[r.Length];
        Assert.Equal(r.Length, r.CopyTo(buffer));
        return buffer;
    }

    /// <summary>Every batch of the log, fetched segment by segment from the log start.</summary>
    public static List<long> AllBatchOffsets(this PartitionLog log)
    {
        var offsets = new List<long>();
        long next = log.LogStartOffset;
        while (next < log.LogEndOffset)
        {
            byte[] data = log.ReadBytes(next);
            Assert.NotEmpty(data);
            List<long> bases = TestBatch.BaseOffsets(data);
            offsets.AddRange(bases);
            int pos = 0;
            long last = 0;
            while (pos < data.Length)
            {
                last = TestBatch.BaseOffset(data.AsSpan(pos)) + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(pos + 23));
                pos += TestBatch.Size(data.AsSpan(pos));
            }
            next = last + 1;
        }
        return offsets;
    }
}
