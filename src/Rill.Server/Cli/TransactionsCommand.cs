using Rill.Client;

namespace Rill.Server.Cli;

/// <summary>`rill transactions`: kafka-transactions.sh — list, describe, describe producers, find and abort hanging transactions.</summary>
internal static class TransactionsCommand
{
    public const string Help = """
        Usage: rill transactions --bootstrap-server HOST:PORT ACTION [options]

        Actions (one):
          --list                 every transactional id with its coordinator, producer id and state
          --describe             the state of --transactional-id at its coordinator
          --describe-producers   the producers of --topic/--partition, with their open transaction's start offset
          --find-hanging         open transactions on partitions (all, or --topic [--partition]) that their
                                 coordinator does not know or that ran past --max-transaction-timeout
          --abort                write an abort marker for the transaction of --topic/--partition that
                                 starts at --start-offset (a hanging one: the partition's LSO moves on)

        Options:
          --bootstrap-server HOST:PORT    the broker to connect to (required)
          --transactional-id ID
          --topic NAME, --partition N, --start-offset N
          --max-transaction-timeout MIN   with --find-hanging: minutes an open transaction may run (default 15,
                                          Kafka's transaction.max.timeout.ms)
          -h, --help                      this help
        """;

    public static Task<int> RunAsync(string[] args, Console3 io) => CliRunner.RunAsync("transactions", Help, args, io, async () =>
    {
        var a = CliArgs.Parse(args, ["--bootstrap-server", "--transactional-id", "--topic", "--partition", "--start-offset", "--max-transaction-timeout"],
            ["--list", "--describe", "--describe-producers", "--find-hanging", "--abort"]);
        string action = a.Action("--list", "--describe", "--describe-producers", "--find-hanging", "--abort");
        await using var admin = new AdminClient(CliRunner.Configure(a, new AdminClientConfig { BootstrapServers = CliRunner.Bootstrap(a), ClientId = "rill-transactions" }));
        switch (action)
        {
            case "--list":
                var listed = await admin.ListTransactionsAsync().ConfigureAwait(false);
                TableWriter.Write(io.Out, ["TransactionalId", "Coordinator", "ProducerId", "TransactionState"],
                    listed.OrderBy(t => t.TransactionalId, StringComparer.Ordinal)
                        .Select(t => (IReadOnlyList<string>)[t.TransactionalId, t.CoordinatorId.ToString(), t.ProducerId.ToString(), t.State]));
                return 0;
            case "--describe":
                var d = await admin.DescribeTransactionAsync(a.Require("--transactional-id")).ConfigureAwait(false);
                long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                TableWriter.Write(io.Out, ["CoordinatorId", "TransactionalId", "ProducerId", "ProducerEpoch", "TransactionState", "TransactionTimeoutMs",
                    "CurrentTransactionStartTimeMs", "TransactionDurationMs", "TopicPartitions"],
                    [[d.CoordinatorId.ToString(), d.TransactionalId, d.ProducerId.ToString(), d.ProducerEpoch.ToString(), d.State,
                        d.TransactionTimeoutMs.ToString(), d.TransactionStartTimeMs < 0 ? "None" : d.TransactionStartTimeMs.ToString(),
                        d.TransactionStartTimeMs < 0 ? "None" : (now - d.TransactionStartTimeMs).ToString(),
                        string.Join(',', d.Partitions.Select(p => $"{p.Topic}-{p.Partition}"))]]);
                return 0;
            case "--describe-producers":
                var partition = new TopicPartition(a.Require("--topic"), (int)a.GetLong("--partition", -1));
                var producers = await admin.DescribeProducersAsync(partition).ConfigureAwait(false);
                TableWriter.Write(io.Out, ["ProducerId", "ProducerEpoch", "LatestCoordinatorEpoch", "LastSequence", "LastTimestamp", "CurrentTransactionStartOffset"],
                    producers.Select(p => (IReadOnlyList<string>)[p.ProducerId.ToString(), p.ProducerEpoch.ToString(), p.CoordinatorEpoch.ToString(),
                        p.LastSequence.ToString(), p.LastTimestamp.ToString(), p.CurrentTransactionStartOffset < 0 ? "None" : p.CurrentTransactionStartOffset.ToString()]));
                return 0;
            case "--find-hanging":
                var hanging = await HangingTransactions.FindAsync(admin, a.Get("--topic"), a.Has("--partition") ? (int)a.GetLong("--partition", 0) : null,
                    TimeSpan.FromMinutes(a.GetLong("--max-transaction-timeout", 15))).ConfigureAwait(false);
                TableWriter.Write(io.Out, ["Topic", "Partition", "ProducerId", "ProducerEpoch", "CoordinatorEpoch", "StartOffset", "LastTimestamp", "Duration(min)"],
                    hanging.Select(h => (IReadOnlyList<string>)[h.Partition.Topic, h.Partition.Partition.ToString(), h.Producer.ProducerId.ToString(),
                        h.Producer.ProducerEpoch.ToString(), h.Producer.CoordinatorEpoch.ToString(), h.Producer.CurrentTransactionStartOffset.ToString(),
                        h.Producer.LastTimestamp.ToString(), ((long)h.Age.TotalMinutes).ToString()]));
                return 0;
            default:
                var target = new TopicPartition(a.Require("--topic"), (int)a.GetLong("--partition", -1));
                long start = a.GetLong("--start-offset", -1);
                if (target.Partition < 0 || start < 0)
                {
                    throw new UsageException("--abort needs --topic, --partition and --start-offset.");
                }
                var aborted = await admin.AbortTransactionAsync(target, start).ConfigureAwait(false);
                io.Out.WriteLine($"Aborted the transaction of producer {aborted.ProducerId} (epoch {aborted.ProducerEpoch}) on {target.Topic}-{target.Partition} starting at offset {start}.");
                return 0;
        }
    });
}

/// <summary>
/// kafka-transactions.sh find-hanging: a partition's open transaction is hanging when its
/// coordinator no longer has that producer in an ongoing transaction with this partition, or when
/// it has been open longer than the longest transaction timeout the brokers allow.
/// </summary>
internal static class HangingTransactions
{
    public sealed record Hanging(TopicPartition Partition, ProducerState Producer, TimeSpan Age);

    public static async Task<List<Hanging>> FindAsync(AdminClient admin, string? topic, int? partition, TimeSpan maxTimeout)
    {
        var partitions = new List<TopicPartition>();
        IReadOnlyCollection<string> topics = topic is null ? await admin.ListTopicsAsync().ConfigureAwait(false) : [topic];
        foreach (var t in await admin.DescribeTopicsAsync(topics).ConfigureAwait(false))
        {
            partitions.AddRange(t.Partitions.Where(p => partition is null || p.Partition == partition).Select(p => new TopicPartition(t.Name, p.Partition)));
        }
        var open = new List<(TopicPartition Partition, ProducerState Producer)>();
        foreach (var tp in partitions)
        {
            open.AddRange((await admin.DescribeProducersAsync(tp).ConfigureAwait(false))
                .Where(p => p.CurrentTransactionStartOffset >= 0).Select(p => (tp, p)));
        }
        if (open.Count == 0)
        {
            return [];
        }
        var listings = await admin.ListTransactionsAsync(producerIds: open.Select(o => o.Producer.ProducerId).Distinct()).ConfigureAwait(false);
        var hanging = new List<Hanging>();
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var (tp, producer) in open)
        {
            var age = TimeSpan.FromMilliseconds(Math.Max(0, now - producer.LastTimestamp));
            var listing = listings.FirstOrDefault(l => l.ProducerId == producer.ProducerId);
            bool known = false;
            if (listing is not null && listing.State is "Ongoing" or "PrepareCommit" or "PrepareAbort")
            {
                var description = await admin.DescribeTransactionAsync(listing.TransactionalId).ConfigureAwait(false);
                known = description.ProducerId == producer.ProducerId && description.Partitions.Contains(tp);
            }
            if (!known || age > maxTimeout)
            {
                hanging.Add(new Hanging(tp, producer, age));
            }
        }
        return hanging;
    }
}
