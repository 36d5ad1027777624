using System.Text;
using Rill.Client;

namespace Rill.Server.Cli;

/// <summary>`rill produce`: kafka-console-producer.sh — one record per stdin line.</summary>
internal static class ProduceCommand
{
    public const string Help = """
        Usage: rill produce --bootstrap-server HOST:PORT --topic NAME [options] < lines

        Sends one record per line of standard input.

        Options:
          --bootstrap-server HOST:PORT    the broker to connect to (required)
          --topic NAME                    the topic (required)
          --property parse.key=true       split each line into key and value at key.separator
          --property key.separator=SEP    default: a tab
          --property parse.headers=true   lines start with headers: k1:v1,k2:v2<TAB>...
          --property headers.delimiter=D  between headers and the rest (default: a tab)
          --property headers.separator=S  between headers (default: ,)
          --property headers.key.separator=K  between a header's key and value (default: :)
          --compression-codec CODEC       none, gzip, snappy, lz4, zstd
          --request-required-acks ACKS    all, -1, 0 or 1 (default: all)
          --producer-property KEY=VALUE   linger.ms, batch.size, enable.idempotence, ...
          --sync                          wait for each record's acknowledgement
          -h, --help                      this help
        """;

    public static Task<int> RunAsync(string[] args, Console3 io) => CliRunner.RunAsync("produce", Help, args, io, async () =>
    {
        var a = CliArgs.Parse(args, ["--bootstrap-server", "--topic", "--property", "--compression-codec", "--request-required-acks", "--producer-property"], ["--sync"]);
        string topic = a.Require("--topic");
        var props = a.Properties();
        var config = CliRunner.Configure(a, new ProducerConfig { BootstrapServers = CliRunner.Bootstrap(a), ClientId = "rill-produce" });
        if (a.Get("--compression-codec") is { } codec)
        {
            config.CompressionType = ProducerConfig.ParseCompression(codec);
        }
        config.Acks = ParseAcks(a.Get("--request-required-acks") ?? "all");
        ApplyProducerProperties(config, a.Properties("--producer-property"));
        bool parseKey = CliArgs.IsTrue(props, "parse.key");
        bool parseHeaders = CliArgs.IsTrue(props, "parse.headers");
        string keySeparator = props.GetValueOrDefault("key.separator", "\t");
        string headersDelimiter = props.GetValueOrDefault("headers.delimiter", "\t");
        string headersSeparator = props.GetValueOrDefault("headers.separator", ",");
        string headerKeySeparator = props.GetValueOrDefault("headers.key.separator", ":");

        int failures = 0;
        string? firstError = null;
        await using (var producer = new Producer<string?, string>(config))
        {
            void OnDelivery(DeliveryResult r)
            {
                if (r.Error is not null && Interlocked.Increment(ref failures) == 1)
                {
                    firstError = r.Error.Message;
                }
            }
            string? line;
            int number = 0;
            while ((line = await io.In.ReadLineAsync().ConfigureAwait(false)) is not null)
            {
                number++;
                var message = new Message<string?, string> { Key = null };
                string rest = line;
                if (parseHeaders)
                {
                    int d = rest.IndexOf(headersDelimiter, StringComparison.Ordinal);
                    if (d < 0)
                    {
                        throw new UsageException($"line {number}: no headers delimiter in '{line}'.");
                    }
                    message.Headers = new Headers();
                    foreach (string header in rest[..d].Split(headersSeparator, StringSplitOptions.RemoveEmptyEntries))
                    {
                        int k = header.IndexOf(headerKeySeparator, StringComparison.Ordinal);
                        message.Headers.Add(k < 0 ? header : header[..k], k < 0 ? null : Encoding.UTF8.GetBytes(header[(k + headerKeySeparator.Length)..]));
                    }
                    rest = rest[(d + headersDelimiter.Length)..];
                }
                if (parseKey)
                {
                    int s = rest.IndexOf(keySeparator, StringComparison.Ordinal);
                    if (s < 0)
                    {
                        throw new UsageException($"line {number}: no key separator in '{line}'.");
                    }
                    message.Key = rest[..s];
                    rest = rest[(s + keySeparator.Length)..];
                }
                message.Value = rest;
                if (a.Has("--sync"))
                {
                    OnDelivery(await producer.ProduceAsync(topic, message).ConfigureAwait(false));
                }
                else
                {
                    producer.Produce(topic, message, OnDelivery);
                }
            }
            await producer.FlushAsync().ConfigureAwait(false);
        }
        if (failures > 0)
        {
            io.Err.WriteLine($"rill produce: {failures} record(s) failed: {firstError}");
            return 1;
        }
        return 0;
    });

    public static Acks ParseAcks(string value) => value switch
    {
        "all" or "-1" => Acks.All,
        "1" => Acks.Leader,
        "0" => Acks.None,
        _ => throw new UsageException($"acks must be all, -1, 0 or 1, not '{value}'."),
    };

    public static void ApplyProducerProperties(ProducerConfig config, Dictionary<string, string> properties)
    {
        foreach (var (key, value) in properties)
        {
            switch (key)
            {
                case "linger.ms": config.LingerMs = int.Parse(value); break;
                case "batch.size": config.BatchSize = int.Parse(value); break;
                case "buffer.memory": config.BufferMemory = long.Parse(value); break;
                case "acks": config.Acks = ParseAcks(value); break;
                case "enable.idempotence": config.EnableIdempotence = bool.Parse(value); break;
                case "compression.type": config.CompressionType = ProducerConfig.ParseCompression(value); break;
                case "client.id": config.ClientId = value; break;
                case "request.timeout.ms": config.RequestTimeoutMs = int.Parse(value); break;
                case "max.in.flight.requests.per.connection": config.MaxInFlightRequestsPerConnection = int.Parse(value); break;
                default: throw new UsageException($"unsupported producer property '{key}'.");
            }
        }
    }
}
