using System.Buffers.Binary;
using Rill.Protocol.Records;
using Rill.Storage.Producers;

namespace Rill.Storage.Tests.Transactions;

/// <summary>Transaction marker batches as Kafka writes them.</summary>
public sealed class ControlRecordTests
{
    [Theory]
    [InlineData(true, (short)1)]
    [InlineData(false, (short)0)]
    public void A_marker_is_a_transactional_control_batch_with_the_type_key_and_coordinator_epoch_value(bool commit, short type)
    {
        byte[] batch = ControlRecord.BuildMarker(producerId: 77, producerEpoch: 3, commit, coordinatorEpoch: 5, timestamp: 1000);
        short attributes = BinaryPrimitives.ReadInt16BigEndian(batch.AsSpan(RecordBatchLayout.Attributes));
        Assert.Equal(RecordBatchLayout.TransactionalFlag | RecordBatchLayout.ControlFlag, attributes);
        Assert.Equal(77, BinaryPrimitives.ReadInt64BigEndian(batch.AsSpan(RecordBatchLayout.ProducerId)));
        Assert.Equal(3, BinaryPrimitives.ReadInt16BigEndian(batch.AsSpan(RecordBatchLayout.ProducerEpoch)));
        Assert.Equal(-1, BinaryPrimitives.ReadInt32BigEndian(batch.AsSpan(RecordBatchLayout.BaseSequence)));

        // One record: length 16, attributes, timestamp and offset deltas 0, key (4 bytes), value (6 bytes), no headers.
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(batch.AsSpan(RecordBatchLayout.RecordCount)));
        byte[] expected = [32, 0, 0, 0, 8, 0, 0, 0, (byte)type, 12, 0, 0, 0, 0, 0, 5, 0];
        Assert.Equal(expected, batch.AsSpan(RecordBatchLayout.HeaderSize).ToArray());
        Assert.Equal(commit, ControlRecord.ParseMarkerKey(batch.AsSpan(RecordBatchLayout.HeaderSize + 5, 4)));
        Assert.Equal(Crc32C.Compute(batch.AsSpan(RecordBatchLayout.Attributes)), BinaryPrimitives.ReadUInt32BigEndian(batch.AsSpan(RecordBatchLayout.Crc)));
    }

    [Fact]
    public void Keys_that_are_not_markers_parse_as_null()
    {
        Assert.Null(ControlRecord.ParseMarkerKey(new byte[] { 0, 0, 0 }));
        Assert.Null(ControlRecord.ParseMarkerKey(new byte[] { 0, 1, 0, 1 }));
        Assert.Null(ControlRecord.ParseMarkerKey(new byte[] { 0, 0, 0, 2 }));
    }
}
