using System.Text.RegularExpressions;

namespace Rill.Cluster.Tests.Harness;

/// <summary>
/// librdkafka (confluent-kafka-python, scripts/cluster_client.py) and kafka-python's codec against a cluster,
/// for the fault tests: describe, create, acks=all idempotent produce, consume from the beginning, one raw
/// acks=all Produce to one broker.
/// </summary>
public static partial class ClusterClient
{
    public sealed record PartitionView(int Partition, int Leader, int[] Replicas, int[] Isr);

    public sealed record AckedRecord(int Partition, long Offset, string Value);

    private static string Script => ExternalTool.Script("cluster_client.py");

    public static async Task<PartitionView[]?> DescribeAsync(string bootstrap, string topic)
    {
        ExternalTool.Result result = await ExternalTool.RunAsync(ExternalTool.Python, [Script, "describe", bootstrap, topic], timeout: TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
        {
            return null;
        }
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            string[] f = line.Split(' ');
            return new PartitionView(int.Parse(f[0]), int.Parse(f[1]), Ids(f[2]), Ids(f[3]));
        }).ToArray();
    }

    private static int[] Ids(string list) => list.Length == 0 ? [] : list.Split(',').Select(int.Parse).Order().ToArray();

    public static Task CreateAsync(string bootstrap, string topic, int partitions, int rf, params string[] configs)
        => ExternalTool.RunOkAsync(ExternalTool.Python, [Script, "create", bootstrap, topic, $"{partitions}", $"{rf}", .. configs], timeout: TimeSpan.FromSeconds(60));

    /// <summary>acks=all idempotent producer: the records it saw acknowledged.</summary>
    public static async Task<List<AckedRecord>> ProduceAsync(string bootstrap, string topic, int count, string prefix, int pauseMs = 0)
    {
        string output = await ExternalTool.RunOkAsync(ExternalTool.Python, [Script, "produce", bootstrap, topic, $"{count}", prefix, $"{pauseMs}"],
            timeout: TimeSpan.FromSeconds(150));
        return Acked().Matches(output).Select(m => new AckedRecord(int.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value), m.Groups[3].Value)).ToList();
    }

    public static async Task<List<AckedRecord>> ConsumeAsync(string bootstrap, string topic, int expected)
    {
        string output = await ExternalTool.RunOkAsync(ExternalTool.Python, [Script, "consume", bootstrap, topic, $"{expected}"], timeout: TimeSpan.FromSeconds(90));
        return Consumed().Matches(output).Select(m => new AckedRecord(int.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value), m.Groups[3].Value)).ToList();
    }

    /// <summary>One acks=all record to exactly this broker (no metadata routing): its error code, or "no-answer".</summary>
    public static async Task<string> ProduceRawAsync(string address, string topic, int partition, string value, int timeoutMs)
        => (await ExternalTool.RunOkAsync(ExternalTool.Python, [Script, "produce-raw", address, topic, $"{partition}", value, $"{timeoutMs}"],
            timeout: TimeSpan.FromMilliseconds(timeoutMs + 30_000))).Trim();

    /// <summary>Every acknowledged record read back exactly once, at its offset, in order per partition, and nothing else.</summary>
    public static void AssertSameRecords(IReadOnlyList<AckedRecord> acked, IReadOnlyList<AckedRecord> read)
    {
        foreach (var group in acked.GroupBy(a => a.Partition))
        {
            var expected = group.OrderBy(a => a.Offset).Select(a => (a.Offset, a.Value)).ToArray();
            var actual = read.Where(r => r.Partition == group.Key).Select(r => (r.Offset, r.Value)).ToArray();
            Assert.Equal(expected, actual);
        }
        Assert.Equal(acked.Count, read.Count);
    }

    [GeneratedRegex(@"^acked (\d+) (\d+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex Acked();

    [GeneratedRegex(@"^(\d+) (\d+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex Consumed();
}
