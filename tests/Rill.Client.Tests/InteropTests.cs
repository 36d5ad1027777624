using System.Text;
using Rill.Protocol.Compression;

namespace Rill.Client.Tests;

/// <summary>Rill.Client against independent clients: kafka-python and kcat read what it writes, and it reads what they write.</summary>
public class InteropTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private async Task<string> CreateTopicAsync(int partitions)
    {
        string topic = BrokerFixture.NewTopic("i");
        await using var admin = fixture.Admin();
        await admin.CreateTopicsAsync([new NewTopic(topic, partitions, 1)]);
        return topic;
    }

    private async Task<List<DeliveryResult>> ProduceAsync(string topic, int count, CompressionType compression)
    {
        await using var producer = new Producer<string, string>(fixture.Producer(c => c.CompressionType = compression));
        var tasks = Enumerable.Range(0, count).Select(i => producer.ProduceAsync(topic, new Message<string, string>
        {
            Key = $"key-{i}", Value = $"value-{i}", Headers = new Headers { { "n", i.ToString() }, { "codec", compression.ToString() } },
        })).ToList();
        return (await Task.WhenAll(tasks).WaitAsync(Timeout)).ToList();
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Kafka_python_reads_what_Rill_Client_wrote(CompressionType compression)
    {
        string topic = await CreateTopicAsync(3);
        var sent = await ProduceAsync(topic, 60, compression);
        string output = await ExternalTool.PythonAsync("python_consume.py", fixture.Bootstrap, topic, "60");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToList();
        Assert.Equal(60, lines.Count);
        foreach (var l in lines)
        {
            int i = int.Parse(l[2]["key-".Length..]);
            Assert.Equal(sent[i].Partition.ToString(), l[0]);
            Assert.Equal(sent[i].Offset.ToString(), l[1]);
            Assert.Equal($"value-{i}", l[3]);
            Assert.Equal($"n={i};codec={compression}", l[4]);
        }
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    [InlineData(CompressionType.Snappy)]
    public async Task Kcat_reads_what_Rill_Client_wrote(CompressionType compression)
    {
        string topic = await CreateTopicAsync(3);
        var sent = await ProduceAsync(topic, 60, compression);
        string output = await ExternalTool.RunOkAsync("kcat", ["-C", "-b", fixture.Bootstrap, "-t", topic, "-e", "-q", "-f", "%p %o %k %s %h\n"]);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToList();
        Assert.Equal(60, lines.Count);
        foreach (var l in lines)
        {
            int i = int.Parse(l[2]["key-".Length..]);
            Assert.Equal(sent[i].Partition.ToString(), l[0]);
            Assert.Equal(sent[i].Offset.ToString(), l[1]);
            Assert.Equal($"value-{i}", l[3]);
            Assert.Equal($"n={i},codec={compression}", l[4]);
        }
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("lz4")]
    public async Task Rill_Client_reads_what_kafka_python_wrote_on_the_same_partitions(string codec)
    {
        string topic = await CreateTopicAsync(4);
        await ExternalTool.PythonAsync("python_produce.py", fixture.Bootstrap, topic, "80", codec);
        var seen = await ConsumeAllAsync(topic, 4, 80);
        for (int i = 0; i < 80; i++)
        {
            var r = seen[$"key-{i}"];
            Assert.Equal($"value-{i}", r.Value);
            Assert.Equal(Murmur2Partitioner.Partition(Encoding.UTF8.GetBytes($"key-{i}"), 4), r.Partition);
            Assert.Equal(i.ToString(), Encoding.UTF8.GetString(r.GetHeaders().Single(h => h.Key == "n").Value!));
        }
    }

    [Theory]
    [InlineData("snappy")]
    [InlineData("zstd")]
    public async Task Rill_Client_reads_what_kcat_wrote(string codec)
    {
        string topic = await CreateTopicAsync(1);
        string input = string.Join('\n', Enumerable.Range(0, 50).Select(i => $"key-{i}:value-{i}")) + "\n";
        await ExternalTool.RunOkAsync("kcat", ["-P", "-b", fixture.Bootstrap, "-t", topic, "-K:", "-z", codec, "-p", "0"], input);
        var seen = await ConsumeAllAsync(topic, 1, 50);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal($"value-{i}", seen[$"key-{i}"].Value);
            Assert.Equal(i, seen[$"key-{i}"].Offset);
        }
    }

    private async Task<Dictionary<string, ConsumeResult<string, string>>> ConsumeAllAsync(string topic, int partitions, int expected)
    {
        await using var consumer = new Consumer<string, string>(fixture.Consumer());
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)));
        var seen = new Dictionary<string, ConsumeResult<string, string>>();
        using var cts = new CancellationTokenSource(Timeout);
        await foreach (var r in consumer.ConsumeAsync(cts.Token))
        {
            seen[r.Key] = r;
            if (seen.Count == expected)
            {
                break;
            }
        }
        Assert.Equal(expected, seen.Count);
        return seen;
    }
}
