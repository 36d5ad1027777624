using Rill.Protocol.Messages;

namespace Rill.Protocol.Tests.Transactions;

/// <summary>
/// Byte-exact encodings of the transaction APIs worked out from the protocol guide: the v3 (client)
/// and v4 (batched, broker) forms of AddPartitionsToTxn, EndTxn v5's producer id/epoch, and
/// TxnOffsetCommit v3's KIP-447 group fields.
/// </summary>
public sealed class TransactionMessageBytesTests
{
    private static byte[] Write(IApiMessage message, short version)
    {
        byte[] buffer = new byte[message.ComputeSize(version)];
        var writer = new ProtocolWriter(buffer);
        message.Write(ref writer, version);
        return buffer;
    }

    private static T Read<T>(byte[] bytes, short version) where T : IApiMessage, new()
    {
        var message = new T();
        var reader = new ProtocolReader(bytes);
        message.Read(ref reader, version);
        Assert.Equal(0, reader.Remaining);
        return message;
    }

    [Fact]
    public void AddPartitionsToTxn_v2_is_the_classic_single_transaction_form()
    {
        byte[] bytes =
        [
            0, 1, (byte)'t',                  // transactional id
            0, 0, 0, 0, 0, 0, 0, 7,           // producer id
            0, 2,                             // epoch
            0, 0, 0, 1,                       // 1 topic
            0, 1, (byte)'a',
            0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, // partitions [0, 3]
        ];
        var request = Read<AddPartitionsToTxnRequest>(bytes, 2);
        Assert.Equal(("t", 7L, (short)2), (request.V3AndBelowTransactionalId, request.V3AndBelowProducerId, request.V3AndBelowProducerEpoch));
        var topic = Assert.Single(request.V3AndBelowTopics);
        Assert.Equal("a", topic.Name);
        Assert.Equal([0, 3], topic.Partitions);
        Assert.Equal(bytes, Write(request, 2));
    }

    [Fact]
    public void AddPartitionsToTxn_v4_batches_transactions_with_VerifyOnly()
    {
        byte[] bytes =
        [
            2,                                // compact array: 1 transaction
            2, (byte)'t',
            0, 0, 0, 0, 0, 0, 0, 7,
            0, 2,
            1,                                // verify only
            2, 2, (byte)'a', 2, 0, 0, 0, 5, 0, // topics: a [5], no tags
            0,                                // transaction's tags
            0,                                // request's tags
        ];
        var request = Read<AddPartitionsToTxnRequest>(bytes, 4);
        var txn = Assert.Single(request.Transactions);
        Assert.Equal(("t", 7L, (short)2, true), (txn.TransactionalId, txn.ProducerId, txn.ProducerEpoch, txn.VerifyOnly));
        Assert.Equal(5, Assert.Single(Assert.Single(txn.Topics).Partitions));
        Assert.Equal(bytes, Write(request, 4));
    }

    [Fact]
    public void EndTxn_v5_answers_the_producer_id_and_epoch()
    {
        var response = new EndTxnResponse { ThrottleTimeMs = 0, ErrorCode = 0, ProducerId = 9, ProducerEpoch = 4 };
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 4, 0 }, Write(response, 5));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0 }, Write(response, 4));
    }

    [Fact]
    public void TxnOffsetCommit_v3_carries_the_group_generation_member_and_instance()
    {
        var request = new TxnOffsetCommitRequest
        {
            TransactionalId = "t", GroupId = "g", ProducerId = 1, ProducerEpoch = 0,
            GenerationId = 3, MemberId = "m", GroupInstanceId = null,
            Topics = [new() { Name = "a", Partitions = [new() { PartitionIndex = 0, CommittedOffset = 42, CommittedLeaderEpoch = -1, CommittedMetadata = null }] }],
        };
        byte[] expected =
        [
            2, (byte)'t', 2, (byte)'g',
            0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
            0, 0, 0, 3,                       // generation
            2, (byte)'m',                     // member id
            0,                                // null instance id
            2, 2, (byte)'a',
            2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 42, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, // partition 0 @42, epoch -1, null metadata, tags
            0,                                // topic's tags
            0,                                // request's tags
        ];
        Assert.Equal(expected, Write(request, 3));
        var back = Read<TxnOffsetCommitRequest>(expected, 3);
        Assert.Equal((3, "m"), (back.GenerationId, back.MemberId));
    }
}
