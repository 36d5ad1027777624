namespace Rill.Coordination.Transactions;

/// <summary>Kafka's transaction states; the values are the TransactionStatus byte of __transaction_state.</summary>
public enum TransactionState : sbyte
{
    Empty = 0,
    Ongoing = 1,
    PrepareCommit = 2,
    PrepareAbort = 3,
    CompleteCommit = 4,
    CompleteAbort = 5,
    Dead = 6,
    PrepareEpochFence = 7,
}

/// <summary>A partition taking part in a transaction.</summary>
public readonly record struct TxnPartition(string Topic, int Partition);
