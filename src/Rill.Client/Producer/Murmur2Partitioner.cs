namespace Rill.Client;

/// <summary>
/// The Java client's default partitioner for keyed records: murmur2 of the key bytes (seed
/// 0x9747b28c), made positive with a mask, modulo the partition count. Same key, same partition as
/// the Java client, kafka-python and librdkafka's murmur2 partitioner.
/// </summary>
public static class Murmur2Partitioner
{
    /// <summary>The partition for this key among <paramref name="partitionCount"/> partitions.</summary>
    public static int Partition(ReadOnlySpan<byte> key, int partitionCount)
        => (Hash(key) & 0x7fffffff) % partitionCount;

    /// <summary>Kafka's murmur2 hash of the bytes.</summary>
    public static int Hash(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        int length = data.Length;
        uint h = 0x9747b28c ^ (uint)length;
        int blocks = length / 4;
        for (int i = 0; i < blocks; i++)
        {
            int o = i * 4;
            uint k = data[o] | (uint)data[o + 1] << 8 | (uint)data[o + 2] << 16 | (uint)data[o + 3] << 24;
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }
        int tail = blocks * 4;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[tail];
                h *= m;
                break;
        }
        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}
