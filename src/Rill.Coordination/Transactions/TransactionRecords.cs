using Rill.Protocol.Data;

namespace Rill.Coordination.Transactions;

/// <summary>
/// Maps a transactional id's state to and from its __transaction_state record: key
/// <see cref="TransactionLogKey"/> version 0, value <see cref="TransactionLogValue"/> version 1
/// (versions 0-1 are read), a tombstone when the id expires.
/// </summary>
internal static class TransactionRecords
{
    public const short ValueVersion = 1;

    public static byte[] Key(string transactionalId) =>
        new TransactionLogKey { TransactionalId = transactionalId }.ToVersionedBytes(0);

    public static byte[] Value(TransactionMetadata m)
    {
        var value = new TransactionLogValue
        {
            ProducerId = m.ProducerId,
            PreviousProducerId = m.PreviousProducerId,
            NextProducerId = m.NextProducerId,
            ProducerEpoch = m.ProducerEpoch,
            TransactionTimeoutMs = m.TimeoutMs,
            TransactionStatus = (sbyte)m.State,
            ClientTransactionVersion = m.ClientTransactionVersion,
            TransactionPartitions = m.Partitions.Count == 0 ? null : m.Partitions
                .GroupBy(p => p.Topic, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new TransactionLogValue.PartitionsSchema
                {
                    Topic = g.Key,
                    PartitionIds = g.Select(p => p.Partition).Order().ToList(),
                })
                .ToList(),
            TransactionLastUpdateTimestampMs = m.LastUpdateTimestampMs,
            TransactionStartTimestampMs = m.StartTimestampMs,
        };
        return value.ToVersionedBytes(ValueVersion);
    }

    public static bool TryParseKey(ReadOnlyMemory<byte> key, out string transactionalId)
    {
        transactionalId = "";
        try
        {
            var parsed = TransactionLogKey.FromVersionedBytes(key, out short version);
            if (version != 0)
            {
                return false;
            }
            transactionalId = parsed.TransactionalId;
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    public static TransactionMetadata? TryParseValue(string transactionalId, ReadOnlyMemory<byte> bytes)
    {
        TransactionLogValue v;
        try
        {
            v = TransactionLogValue.FromVersionedBytes(bytes, out _);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
        if (!Enum.IsDefined((TransactionState)v.TransactionStatus))
        {
            return null;
        }
        var m = new TransactionMetadata(transactionalId)
        {
            ProducerId = v.ProducerId,
            PreviousProducerId = v.PreviousProducerId,
            NextProducerId = v.NextProducerId,
            ProducerEpoch = v.ProducerEpoch,
            ClientTransactionVersion = v.ClientTransactionVersion,
            TimeoutMs = v.TransactionTimeoutMs,
            State = (TransactionState)v.TransactionStatus,
            StartTimestampMs = v.TransactionStartTimestampMs,
            LastUpdateTimestampMs = v.TransactionLastUpdateTimestampMs,
        };
        foreach (var topic in v.TransactionPartitions ?? [])
        {
            foreach (int p in topic.PartitionIds)
            {
                m.Partitions.Add(new TxnPartition(topic.Topic, p));
            }
        }
        return m;
    }
}
