using System.Buffers;
using System.Text;

namespace Rill.Client.Tests;

public class SerializationTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    public sealed record Position(string Rider, double Lat, double Lon);

    private sealed class UpperCase : ISerializer<string>, IDeserializer<string>
    {
        public bool Serialize(string value, IBufferWriter<byte> output)
        {
            output.Write(Encoding.ASCII.GetBytes(value.ToUpperInvariant()));
            return true;
        }

        public string Deserialize(ReadOnlyMemory<byte>? data) => "<" + Encoding.ASCII.GetString(data!.Value.Span) + ">";
    }

    [Fact]
    public async Task Json_and_custom_serializers_round_trip()
    {
        string topic = BrokerFixture.NewTopic("ser");
        await using (var producer = new Producer<string, Position>(fixture.Producer(), new UpperCase(), Serializers.Json<Position>()))
        {
            await producer.ProduceAsync(topic, "r1", new Position("r1", 52.1, 4.3));
        }
        await using var consumer = new Consumer<string, Position?>(fixture.Consumer(configure: c => c.IsolationLevel = IsolationLevel.ReadCommitted), new UpperCase(), Deserializers.Json<Position>());
        consumer.Assign([new TopicPartition(topic, 0)]);
        var record = (await consumer.ConsumeOneAsync(TimeSpan.FromSeconds(20)))!.Value;
        Assert.Equal("<R1>", record.Key);
        Assert.Equal(new Position("r1", 52.1, 4.3), record.Value);

        await using var raw = new Consumer<byte[], string>(fixture.Consumer());
        raw.Assign([new TopicPartition(topic, 0)]);
        var bytes = (await raw.ConsumeOneAsync(TimeSpan.FromSeconds(20)))!.Value;
        Assert.Equal("{\"Rider\":\"r1\",\"Lat\":52.1,\"Lon\":4.3}", bytes.Value);
    }

    [Fact]
    public async Task Fire_and_forget_produce_allocates_nothing_per_record()
    {
        string topic = BrokerFixture.NewTopic("alloc");
        await using var producer = new Producer<byte[], byte[]>(fixture.Producer(c => { c.BatchSize = 4 * 1024 * 1024; c.MaxRequestSize = 8 * 1024 * 1024; c.LingerMs = 5000; }));
        var message = new Message<byte[], byte[]> { Key = new byte[8], Value = new byte[100] };
        for (int i = 0; i < 1000; i++)
        {
            producer.Produce(topic, message); // warm-up: metadata, JIT, the open batch (one 4 MiB batch holds all records here)
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20_000; i++)
        {
            producer.Produce(topic, message);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await producer.FlushAsync();
        // Nothing per record (0 B when run alone); the bound leaves room for one-off runtime allocations under parallel test load.
        Assert.True(allocated < 20_000, $"{allocated} bytes for 20,000 records");
    }
}
