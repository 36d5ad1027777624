using Rill.Client;
using Rill.Protocol;

namespace Rill.Server.Cli;

/// <summary>`rill topics`: kafka-topics.sh — create, list, describe, alter (partitions), delete.</summary>
internal static class TopicsCommand
{
    public const string Help = """
        Usage: rill topics --bootstrap-server HOST:PORT ACTION [options]

        Actions (one):
          --create        create --topic (with --partitions, --replication-factor, --config k=v ...)
          --list          list topic names
          --describe      describe --topic, or every topic
          --alter         raise --topic's partition count to --partitions
          --delete        delete --topic

        Options:
          --bootstrap-server HOST:PORT   the broker to connect to (required)
          --topic NAME                   the topic
          --partitions N                 partition count (create, alter)
          --replication-factor N         replicas per partition (create; default: the broker's)
          --config KEY=VALUE             a topic config at creation (repeatable)
          --if-exists / --if-not-exists  do nothing instead of failing
          -h, --help                     this help
        """;

    public static Task<int> RunAsync(string[] args, Console3 io) => CliRunner.RunAsync("topics", Help, args, io, async () =>
    {
        var a = CliArgs.Parse(args, ["--bootstrap-server", "--topic", "--partitions", "--replication-factor", "--config"],
            ["--create", "--list", "--describe", "--alter", "--delete", "--if-exists", "--if-not-exists", "--exclude-internal"]);
        string action = a.Action("--create", "--list", "--describe", "--alter", "--delete");
        await using var admin = new AdminClient(CliRunner.Configure(a, new AdminClientConfig { BootstrapServers = CliRunner.Bootstrap(a), ClientId = "rill-topics" }));
        switch (action)
        {
            case "--list":
                foreach (string name in await admin.ListTopicsAsync().ConfigureAwait(false))
                {
                    io.Out.WriteLine(name);
                }
                return 0;
            case "--create":
            {
                string topic = a.Require("--topic");
                var configs = a.Properties("--config");
                try
                {
                    await admin.CreateTopicsAsync([new NewTopic(topic, a.GetInt("--partitions", -1), (short)a.GetInt("--replication-factor", -1), configs)]).ConfigureAwait(false);
                }
                catch (KafkaException e) when (e.ErrorCode == ErrorCode.TopicAlreadyExists && a.Has("--if-not-exists"))
                {
                    return 0;
                }
                io.Out.WriteLine($"Created topic {topic}.");
                return 0;
            }
            case "--describe":
                await DescribeAsync(admin, a.Get("--topic"), io).ConfigureAwait(false);
                return 0;
            case "--alter":
                await admin.CreatePartitionsAsync(a.Require("--topic"), int.Parse(a.Require("--partitions", "with --alter"))).ConfigureAwait(false);
                io.Out.WriteLine($"Altered partition count of topic {a.Get("--topic")}.");
                return 0;
            default:
            {
                string topic = a.Require("--topic");
                try
                {
                    await admin.DeleteTopicsAsync([topic]).ConfigureAwait(false);
                }
                catch (KafkaException e) when (e.ErrorCode == ErrorCode.UnknownTopicOrPartition && a.Has("--if-exists"))
                {
                    return 0;
                }
                io.Out.WriteLine($"Deleted topic {topic}.");
                return 0;
            }
        }
    });

    private static async Task DescribeAsync(AdminClient admin, string? topic, Console3 io)
    {
        var topics = await admin.DescribeTopicsAsync(topic is null ? null : [topic]).ConfigureAwait(false);
        foreach (var t in topics)
        {
            var configs = await admin.DescribeConfigsAsync(ConfigResourceType.Topic, t.Name).ConfigureAwait(false);
            string overrides = string.Join(",", configs.Where(c => c.Source == "DYNAMIC_TOPIC_CONFIG").Select(c => $"{c.Name}={c.Value}"));
            int replication = t.Partitions.Count > 0 ? t.Partitions[0].Replicas.Count : 0;
            io.Out.WriteLine($"Topic: {t.Name}\tTopicId: {Base64Url(t.TopicId)}\tPartitionCount: {t.Partitions.Count}\tReplicationFactor: {replication}\tConfigs: {overrides}");
            foreach (var p in t.Partitions)
            {
                io.Out.WriteLine($"\tTopic: {t.Name}\tPartition: {p.Partition}\tLeader: {p.Leader}\tReplicas: {string.Join(",", p.Replicas)}\tIsr: {string.Join(",", p.Isr)}");
            }
        }
    }

    /// <summary>Kafka prints topic ids as URL-safe base64 of the 16 big-endian bytes.</summary>
    private static string Base64Url(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
