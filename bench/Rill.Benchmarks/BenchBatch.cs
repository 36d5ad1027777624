using Rill.Protocol.Records;

namespace Rill.Benchmarks;

/// <summary>An uncompressed batch of <c>records</c> keyless records with values of <c>valueSize</c> bytes.</summary>
internal static class BenchBatch
{
    public static byte[] Create(int records, int valueSize)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        byte[] value = new byte[valueSize];
        for (int i = 0; i < valueSize; i++)
        {
            value[i] = (byte)('a' + i % 26);
        }
        var data = Enumerable.Range(0, records).Select(_ => new RecordData(now, null, value)).ToList();
        return RecordBatchBuilder.Build(data);
    }
}
