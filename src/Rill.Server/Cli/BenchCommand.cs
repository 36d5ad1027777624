using System.Diagnostics;
using Rill.Client;

namespace Rill.Server.Cli;

/// <summary>`rill bench producer|consumer`: kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh.</summary>
internal static class BenchCommand
{
    public const string Help = """
        Usage: rill bench producer --bootstrap-server HOST:PORT [--topic T] [--records N] [--record-size B]
                                   [--acks all|1|0] [--batch-size B] [--linger-ms MS] [--compression-codec C] [--partitions N]
               rill bench consumer --bootstrap-server HOST:PORT [--topic T] [--records N] [--group ID]

        producer: sends N records of B bytes as fast as it can (fire-and-forget with delivery callbacks),
                  shows a live progress line on stderr, and prints records/s, MB/s and latency
                  (average, p50, p99, p99.9, max; send to acknowledgement) when done.
        consumer: reads N records from the beginning of the topic and prints records/s and MB/s.
        Both are timed from the first record (after connecting and loading metadata); the producer's
        time includes the final flush.

        Options (Kafka's perf-test names are accepted too: --num-records, --messages, --producer-props):
          --topic T            default rill-bench (created with --partitions, default 1, if missing)
          --records N          default 1000000
          --record-size B      default 100
          --acks ACKS          default all
          --batch-size B       producer batch.size, default 1048576
          --linger-ms MS       producer linger.ms, default 5
          --transactional-id ID         producer: send in transactions (kafka-producer-perf-test's option)
          --transaction-duration-ms MS  producer: commit a transaction every MS (default 3000 with --transactional-id)
          -h, --help           this help
        """;

    public static Task<int> RunAsync(string[] args, Console3 io) => CliRunner.RunAsync("bench", Help, args, io, async () =>
    {
        if (args.Length == 0 || args[0] is not ("producer" or "consumer"))
        {
            throw new UsageException("the first argument is producer or consumer.");
        }
        if (ReferenceEquals(io.Out, Console.Out) && Environment.GetEnvironmentVariable(JitDelayVariable) is null && Environment.ProcessPath is { } self)
        {
            return await RerunWithEagerJitAsync(self).ConfigureAwait(false);
        }
        var a = CliArgs.Parse(args[1..], ["--bootstrap-server", "--topic", "--records", "--num-records", "--messages", "--record-size", "--acks", "--batch-size",
            "--linger-ms", "--compression-codec", "--partitions", "--group", "--producer-props", "--transactional-id", "--transaction-duration-ms"], ["--quiet"]);
        string topic = a.Get("--topic") ?? "rill-bench";
        long records = a.GetLong("--records", a.GetLong("--num-records", a.GetLong("--messages", 1_000_000)));
        return args[0] == "producer"
            ? await ProducerAsync(a, topic, records, io).ConfigureAwait(false)
            : await ConsumerAsync(a, topic, records, io).ConfigureAwait(false);
    });

    private const string JitDelayVariable = "DOTNET_TC_CallCountingDelayMs";

    /// <summary>
    /// A one-second benchmark otherwise spends its first 100+ ms in unoptimised code (tiered JIT
    /// waits before promoting hot methods): run the benchmark in a child process with that delay off.
    /// </summary>
    private static async Task<int> RerunWithEagerJitAsync(string self)
    {
        var info = new ProcessStartInfo(self) { UseShellExecute = false };
        string[] original = Environment.GetCommandLineArgs();
        bool isDll = original.Length > 0 && original[0].EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !self.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            && Path.GetFileNameWithoutExtension(self) == "dotnet";
        foreach (string arg in isDll ? original : original.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment[JitDelayVariable] = "0";
        using var child = Process.Start(info)!;
        await child.WaitForExitAsync().ConfigureAwait(false);
        return child.ExitCode;
    }

    private static async Task<int> ProducerAsync(CliArgs a, string topic, long records, Console3 io)
    {
        int size = a.GetInt("--record-size", 100);
        var config = new ProducerConfig
        {
            BootstrapServers = CliRunner.Bootstrap(a),
            ClientId = "rill-bench",
            Acks = ProduceCommand.ParseAcks(a.Get("--acks") ?? "all"),
            BatchSize = a.GetInt("--batch-size", 1024 * 1024),
            LingerMs = a.GetInt("--linger-ms", 5),
        };
        if (a.Get("--compression-codec") is { } codec)
        {
            config.CompressionType = ProducerConfig.ParseCompression(codec);
        }
        ProduceCommand.ApplyProducerProperties(config, a.GetAll("--producer-props").SelectMany(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : ""));
        CliRunner.Configure(a, config);
        if (a.Get("--transactional-id") is { } transactionalId)
        {
            config.TransactionalId = transactionalId;
        }
        long transactionTicks = a.GetLong("--transaction-duration-ms", 3000) * Stopwatch.Frequency / 1000;
        await EnsureTopicAsync(config, topic, a.GetInt("--partitions", 1)).ConfigureAwait(false);

        var latency = new LatencyHistogram();
        long failed = 0;
        string? firstError = null;
        Action<DeliveryResult> onDelivery = r =>
        {
            if (r.Error is not null)
            {
                if (Interlocked.Increment(ref failed) == 1)
                {
                    firstError = r.Error.Message;
                }
                return;
            }
            lock (latency)
            {
                latency.Record(Rill.Client.Network.CoarseClock.UnixMilliseconds - r.Timestamp);
            }
        };
        var payload = new byte[size];
        Random.Shared.NextBytes(payload);
        var message = new Message<byte[]?, byte[]> { Key = null, Value = payload };
        var clock = new Stopwatch();
        using var progress = Progress(io, () => latency.Count + Interlocked.Read(ref failed), size, clock, a.Has("--quiet"), "sent");
        await using (var producer = new Producer<byte[]?, byte[]>(config))
        {
            await producer.GetPartitionCountAsync(topic).ConfigureAwait(false);
            bool transactional = config.TransactionalId is not null;
            if (transactional)
            {
                await producer.InitTransactionsAsync().ConfigureAwait(false);
                producer.BeginTransaction();
            }
            clock.Start();
            long transactionStart = Stopwatch.GetTimestamp();
            for (long i = 0; i < records; i++)
            {
                producer.Produce(topic, message, onDelivery);
                if (transactional && (i & 63) == 0 && Stopwatch.GetTimestamp() - transactionStart >= transactionTicks)
                {
                    await producer.CommitTransactionAsync().ConfigureAwait(false);
                    producer.BeginTransaction();
                    transactionStart = Stopwatch.GetTimestamp();
                }
            }
            if (transactional)
            {
                await producer.CommitTransactionAsync().ConfigureAwait(false);
            }
            await producer.FlushAsync().ConfigureAwait(false);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        progress.Dispose();
        if (failed > 0)
        {
            io.Err.WriteLine($"rill bench: {failed} records failed: {firstError}");
        }
        long ok = latency.Count;
        io.Out.WriteLine($"{ok} records sent, {ok / seconds:F1} records/sec ({ok * (double)size / seconds / (1024 * 1024):F2} MB/sec), " +
            $"{latency.Average:F2} ms avg latency, {latency.Max:F2} ms max latency, {latency.Percentile(0.5)} ms 50th, {latency.Percentile(0.99)} ms 99th, {latency.Percentile(0.999)} ms 99.9th.");
        return failed > 0 ? 1 : 0;
    }

    private static async Task<int> ConsumerAsync(CliArgs a, string topic, long records, Console3 io)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = CliRunner.Bootstrap(a),
            ClientId = "rill-bench",
            GroupId = a.Get("--group"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            MaxPartitionFetchBytes = 8 * 1024 * 1024,
        };
        CliRunner.Configure(a, config);
        await using var consumer = new Consumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>(config);
        if (config.GroupId is not null)
        {
            consumer.Subscribe(topic);
        }
        else
        {
            await using var admin = new AdminClient(CliRunner.AdminLike(config));
            var partitions = (await admin.DescribeTopicsAsync([topic]).ConfigureAwait(false))[0].Partitions;
            consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p.Partition, Offsets.Earliest)));
        }
        long count = 0, bytes = 0;
        var clock = new Stopwatch();
        using var progress = Progress(io, () => Interlocked.Read(ref count), -1, clock, a.Has("--quiet"), "consumed");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await foreach (var r in consumer.ConsumeAsync(timeout.Token).ConfigureAwait(false))
        {
            if (count == 0)
            {
                clock.Start(); // timed from the first record: connecting and finding offsets are not throughput
            }
            bytes += r.Value.Length;
            if (++count >= records)
            {
                break;
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        progress.Dispose();
        io.Out.WriteLine($"{count} records consumed in {seconds:F2} s, {count / seconds:F1} records/sec ({bytes / seconds / (1024 * 1024):F2} MB/sec).");
        return count >= records ? 0 : 1;
    }

    private static async Task EnsureTopicAsync(ClientConfig client, string topic, int partitions)
    {
        await using var admin = new AdminClient(CliRunner.AdminLike(client));
        try
        {
            await admin.CreateTopicsAsync([new NewTopic(topic, partitions, -1)]).ConfigureAwait(false);
        }
        catch (KafkaException e) when (e.ErrorCode == Rill.Protocol.ErrorCode.TopicAlreadyExists)
        {
        }
    }

    /// <summary>A live progress line on stderr, rewritten once a second.</summary>
    private static Timer Progress(Console3 io, Func<long> done, int recordSize, Stopwatch clock, bool quiet, string verb)
    {
        long last = 0;
        double lastTime = 0;
        return new Timer(_ =>
        {
            if (quiet)
            {
                return;
            }
            long now = done();
            double t = clock.Elapsed.TotalSeconds;
            double rate = (now - last) / Math.Max(1e-6, t - lastTime);
            last = now;
            lastTime = t;
            string mb = recordSize > 0 ? $" ({rate * recordSize / (1024 * 1024):F1} MB/sec)" : "";
            io.Err.Write($"\r{now} records {verb}, {rate:F0} records/sec{mb}   ");
        }, null, 1000, 1000);
    }
}
