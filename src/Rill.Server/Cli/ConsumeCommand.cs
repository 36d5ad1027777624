using System.Text;
using Rill.Client;

namespace Rill.Server.Cli;

/// <summary>`rill consume`: kafka-console-consumer.sh — prints records, one per line.</summary>
internal static class ConsumeCommand
{
    public const string Help = """
        Usage: rill consume --bootstrap-server HOST:PORT --topic NAME [options]

        Options:
          --bootstrap-server HOST:PORT    the broker to connect to (required)
          --topic NAME                    the topic (required)
          --group ID                      consume as a member of this group (commits offsets)
          --from-beginning                start at the earliest offset when there is no committed one
          --partition N                   read only this partition
          --offset earliest|latest|N      start here (needs --partition)
          --max-messages N                exit after N records
          --timeout-ms MS                 exit when no record came for MS milliseconds
          --property print.key=true       also print.partition, print.offset, print.timestamp, print.headers,
                                          key.separator (default: a tab)
          --isolation-level LEVEL         read_uncommitted (default) or read_committed
          -h, --help                      this help
        """;

    public static Task<int> RunAsync(string[] args, Console3 io) => CliRunner.RunAsync("consume", Help, args, io, async () =>
    {
        var a = CliArgs.Parse(args, ["--bootstrap-server", "--topic", "--group", "--partition", "--offset", "--max-messages", "--timeout-ms", "--property", "--isolation-level", "--consumer-property"],
            ["--from-beginning"]);
        string topic = a.Require("--topic");
        var props = a.Properties();
        long max = a.GetLong("--max-messages", long.MaxValue);
        int timeoutMs = a.GetInt("--timeout-ms", -1);
        if (a.Has("--offset") && !a.Has("--partition"))
        {
            throw new UsageException("--offset needs --partition.");
        }
        if (a.Has("--group") && a.Has("--partition"))
        {
            throw new UsageException("--partition cannot be combined with --group.");
        }
        var config = new ConsumerConfig
        {
            BootstrapServers = CliRunner.Bootstrap(a),
            ClientId = "rill-consume",
            GroupId = a.Get("--group"),
            AutoOffsetReset = a.Has("--from-beginning") ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest,
            IsolationLevel = a.Get("--isolation-level") == "read_committed" ? IsolationLevel.ReadCommitted : IsolationLevel.ReadUncommitted,
        };
        CliRunner.Configure(a, config);
        await using var consumer = new Consumer<byte[]?, byte[]?>(config);
        if (config.GroupId is not null)
        {
            consumer.Subscribe(topic);
        }
        else
        {
            long start = a.Get("--offset") switch
            {
                null => a.Has("--from-beginning") ? Offsets.Earliest : Offsets.Latest,
                "earliest" => Offsets.Earliest,
                "latest" => Offsets.Latest,
                string n when long.TryParse(n, out long o) && o >= 0 => o,
                string n => throw new UsageException($"--offset must be earliest, latest or a non-negative number, not '{n}'."),
            };
            IEnumerable<int> partitions;
            if (a.Get("--partition") is not null)
            {
                partitions = [a.GetInt("--partition", 0)];
            }
            else
            {
                await using var admin = new AdminClient(CliRunner.AdminLike(config));
                partitions = (await admin.DescribeTopicsAsync([topic]).ConfigureAwait(false))[0].Partitions.Select(p => p.Partition);
            }
            consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p, start)));
        }

        var format = new RecordFormat(props);
        long count = 0;
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (timeoutMs >= 0)
            {
                stop.CancelAfter(timeoutMs);
            }
            await foreach (var r in consumer.ConsumeAsync(stop.Token).ConfigureAwait(false))
            {
                io.Out.WriteLine(format.Format(r));
                if (++count >= max)
                {
                    break;
                }
                if (timeoutMs >= 0)
                {
                    stop.CancelAfter(timeoutMs);
                }
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        io.Out.Flush();
        io.Err.WriteLine($"Processed a total of {count} messages");
        return 0;
    });

    /// <summary>Kafka's DefaultMessageFormatter: timestamp, partition, offset, headers, key, value.</summary>
    private sealed class RecordFormat(Dictionary<string, string> props)
    {
        private readonly bool _key = CliArgs.IsTrue(props, "print.key");
        private readonly bool _partition = CliArgs.IsTrue(props, "print.partition");
        private readonly bool _offset = CliArgs.IsTrue(props, "print.offset");
        private readonly bool _timestamp = CliArgs.IsTrue(props, "print.timestamp");
        private readonly bool _headers = CliArgs.IsTrue(props, "print.headers");
        private readonly string _separator = props.GetValueOrDefault("key.separator", "\t");

        public string Format(ConsumeResult<byte[]?, byte[]?> r)
        {
            var sb = new StringBuilder();
            if (_timestamp)
            {
                sb.Append("CreateTime:").Append(r.Timestamp).Append(_separator);
            }
            if (_partition)
            {
                sb.Append("Partition:").Append(r.Partition).Append(_separator);
            }
            if (_offset)
            {
                sb.Append("Offset:").Append(r.Offset).Append(_separator);
            }
            if (_headers)
            {
                var headers = r.GetHeaders();
                sb.Append(headers.Count == 0 ? "NO_HEADERS" : string.Join(",", headers.Select(h => $"{h.Key}:{(h.Value is null ? "null" : Encoding.UTF8.GetString(h.Value))}")));
                sb.Append(_separator);
            }
            if (_key)
            {
                sb.Append(r.Key is null ? "null" : Encoding.UTF8.GetString(r.Key)).Append(_separator);
            }
            sb.Append(r.Value is null ? "null" : Encoding.UTF8.GetString(r.Value));
            return sb.ToString();
        }
    }
}
