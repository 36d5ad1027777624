using System.Diagnostics;
using System.Text;
using Rill.Broker.Security.Authorization;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Records;

namespace Rill.Broker.WebConsole;

public sealed partial class BrokerConsole
{
    /// <summary>Values (and keys, header values) longer than this are cut in the browser's answers.</summary>
    public const int MaxShownBytes = 64 * 1024;

    private const int ReadChunkBytes = 1 << 20;

    /// <summary>A search reads this much at a time, so that the batches of one read can be searched on every core.</summary>
    private const int SearchChunkBytes = 8 << 20;
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>
    /// Messages of one partition (or every partition: -1) from the newest, the oldest, an offset or a
    /// timestamp (ListOffsets' rule: the first offset with a timestamp at or after it). Read from the
    /// partition logs as Fetch reads them; not counted as bytes out.
    /// </summary>
    public IReadOnlyList<ConsoleMessage> Messages(ConsoleCaller caller, string topicName, MessageQuery query)
    {
        Topic topic = FindAuthorized(caller, topicName, AclOperation.Read, "Fetch");
        int limit = Math.Clamp(query.Limit, 1, 1000);
        var result = new List<ConsoleMessage>();
        foreach (Partition p in Partitions(topic, query.Partition))
        {
            long start = query.From switch
            {
                "oldest" => p.LogStartOffset,
                "offset" => query.Offset ?? throw ConsoleException.Bad("from=offset needs offset."),
                "timestamp" => p.FindOffsetForTimestamp(query.Timestamp ?? throw ConsoleException.Bad("from=timestamp needs timestamp.")) is var (o, _) && o >= 0
                    ? o : p.HighWatermark,
                _ => p.HighWatermark - limit,
            };
            ReadRange(p, start, limit, null, result);
        }
        IEnumerable<ConsoleMessage> ordered = query.Partition >= 0
            ? result.OrderBy(m => m.Offset)
            : result.OrderBy(m => m.Timestamp).ThenBy(m => m.Partition).ThenBy(m => m.Offset);
        return query.From is "newest" or null or "" ? ordered.TakeLast(limit).ToList() : ordered.Take(limit).ToList();
    }

    private static IEnumerable<Partition> Partitions(Topic topic, int partition)
    {
        if (partition < 0)
        {
            return topic.Partitions;
        }
        return topic.GetPartition(partition) is { } p ? [p] : throw ConsoleException.NotFound($"Partition {partition} of '{topic.Name}' does not exist.");
    }

    /// <summary>Reads records from <paramref name="start"/> (clamped to the log) up to <paramref name="max"/> or the high watermark.</summary>
    private static void ReadRange(Partition partition, long start, int max, Func<BrowsedRecord, bool>? match, List<ConsoleMessage> into)
    {
        long offset = Math.Max(start, partition.LogStartOffset);
        byte[] buffer = [];
        var records = new List<BrowsedRecord>();
        int found = 0;
        while (found < max && offset < partition.HighWatermark)
        {
            int length = ReadChunk(partition, ref offset, ref buffer);
            if (length <= 0)
            {
                return;
            }
            long last = offset;
            foreach (var (position, size, _, lastOffset) in StoredRecordReader.Batches(buffer.AsMemory(0, length)))
            {
                records.Clear();
                StoredRecordReader.Read(buffer.AsMemory(position, size), records);
                foreach (BrowsedRecord r in records)
                {
                    if (r.Offset >= offset && found < max && (match is null || match(r)))
                    {
                        into.Add(ToMessage(partition.Index, r));
                        found++;
                    }
                }
                last = lastOffset + 1;
            }
            if (last <= offset)
            {
                return; // no whole batch: nothing more to read
            }
            offset = last;
        }
    }

    /// <summary>Copies the batches at <paramref name="offset"/> into <paramref name="buffer"/>; 0 at the end, -1 on an error.</summary>
    private static int ReadChunk(Partition partition, ref long offset, ref byte[] buffer, int chunkBytes = ReadChunkBytes)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            offset = Math.Max(offset, partition.LogStartOffset);
            var read = partition.Log.Read(offset, chunkBytes, minOneBatch: true);
            if (read.Error != ErrorCode.None)
            {
                return -1;
            }
            if (read.Length == 0)
            {
                return 0;
            }
            if (buffer.Length < read.Length)
            {
                buffer = new byte[Math.Max(read.Length, chunkBytes)];
            }
            try
            {
                return read.CopyTo(buffer.AsSpan(0, read.Length));
            }
            catch (ObjectDisposedException)
            {
                // retention removed the segment between locating and reading: start again from the new log start
            }
        }
        return -1;
    }

    /// <summary>
    /// One bounded pass of a key or value search (byte substrings, case-sensitive) over the partition
    /// range [start, end): stops after <c>Limit</c> matches, <c>BudgetBytes</c> read or <c>BudgetMs</c>,
    /// whichever comes first, and says where to continue. <paramref name="positions"/> carries the
    /// cursor of the previous pass (null: start at <c>FromOffset</c> or the log start, end at today's
    /// high watermark). Uncompressed batches without the bytes are skipped without decoding.
    /// </summary>
    public SearchResult Search(ConsoleCaller caller, string topicName, SearchQuery query, IReadOnlyList<SearchPosition>? positions)
    {
        Topic topic = FindAuthorized(caller, topicName, AclOperation.Read, "Fetch");
        byte[]? key = string.IsNullOrEmpty(query.Key) ? null : Encoding.UTF8.GetBytes(query.Key);
        byte[]? value = string.IsNullOrEmpty(query.Value) ? null : Encoding.UTF8.GetBytes(query.Value);
        if (key is null && value is null)
        {
            throw ConsoleException.Bad("Search needs a key or a value to look for.");
        }
        byte[] needle = value ?? key!;
        positions ??= Partitions(topic, query.Partition)
            .Select(p => new SearchPosition(p.Index, Math.Max(query.FromOffset ?? 0, p.LogStartOffset), Math.Max(query.FromOffset ?? 0, p.LogStartOffset), p.HighWatermark))
            .ToList();
        int limit = Math.Clamp(query.Limit, 1, 1000);
        long budgetBytes = Math.Clamp(query.BudgetBytes, 16 << 10, 4L << 30);
        var budget = TimeSpan.FromMilliseconds(Math.Clamp(query.BudgetMs, 10, 30_000));
        long started = Stopwatch.GetTimestamp();
        long scanned = 0, records = 0;
        var matches = new List<ConsoleMessage>();
        var next = new List<SearchPosition>(positions.Count);
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(SearchChunkBytes);
        byte[] buffer = rented; // replaced by a bigger array only for a batch larger than the chunk
        var decoded = new List<BrowsedRecord>();
        var scratch = SearchScratch.Rent();
        bool stop = false;
        try
        {
            foreach (SearchPosition position in positions)
            {
                Partition partition = topic.GetPartition(position.Partition) ?? throw ConsoleException.NotFound($"Partition {position.Partition} does not exist.");
                long offset = Math.Max(position.Next, partition.LogStartOffset);
                while (!stop && offset < position.End)
                {
                    long chunkStart = offset;
                    // Never more than what is left of the budget (but at least one batch, so every pass moves on).
                    int length = ReadChunk(partition, ref offset, ref buffer, (int)Math.Clamp(budgetBytes - scanned, 1, SearchChunkBytes));
                    if (length <= 0)
                    {
                        offset = position.End;
                        break;
                    }
                    scanned += length;
                    long resume = offset;
                    var batches = StoredRecordReader.Batches(buffer.AsMemory(0, length)).ToList();
                    // Which batches hold the bytes: decompressed and searched on every core, without decoding records.
                    bool[] hits = BatchSearch.FindBatches(buffer, batches, needle);
                    for (int b = 0; b < batches.Count; b++)
                    {
                        var (at, size, baseOffset, lastOffset) = batches[b];
                        if (baseOffset >= position.End)
                        {
                            resume = position.End;
                            break;
                        }
                        ReadOnlyMemory<byte> batch = buffer.AsMemory(at, size);
                        resume = lastOffset + 1;
                        // A batch whose records section (decompressed if need be) lacks the bytes is skipped undecoded.
                        if (!hits[b])
                        {
                            records += lastOffset - baseOffset + 1;
                            continue;
                        }
                        ReadOnlyMemory<byte> body = StoredRecordReader.Body(batch, scratch);
                        decoded.Clear();
                        StoredRecordReader.Read(batch, decoded, body);
                        foreach (BrowsedRecord r in decoded)
                        {
                            if (r.Offset < offset || r.Offset >= position.End)
                            {
                                continue;
                            }
                            records++;
                            if (Contains(r.Key, key) && Contains(r.Value, value))
                            {
                                matches.Add(ToMessage(partition.Index, r));
                                if (matches.Count >= limit)
                                {
                                    resume = r.Offset + 1;
                                    stop = true;
                                    break;
                                }
                            }
                        }
                        if (stop)
                        {
                            break;
                        }
                    }
                    offset = Math.Max(resume, chunkStart + 1);
                    if (scanned >= budgetBytes || Stopwatch.GetElapsedTime(started) >= budget)
                    {
                        stop = true;
                    }
                }
                next.Add(position with { Next = Math.Min(offset, position.End) });
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            SearchScratch.Return(scratch);
        }
        bool done = next.All(p => p.Next >= p.End);
        return new SearchResult(matches, scanned, records, Stopwatch.GetElapsedTime(started).TotalMilliseconds, next, done);
    }

    private static bool Contains(ReadOnlyMemory<byte>? field, byte[]? needle)
        => needle is null || (field is { } f && f.Span.IndexOf(needle) >= 0);

    /// <summary>
    /// Appends one record as a Produce with acks=1 would (the partition's validation and append); the
    /// partition is the given one, else the one the caller chose (the HTTP layer uses murmur2 of the key).
    /// </summary>
    public ProduceMessageResult Produce(ConsoleCaller caller, string topicName, int partitionIndex, ProduceMessageRequest request)
    {
        Topic topic = FindAuthorized(caller, topicName, AclOperation.Write, "Produce");
        if (TopicName.IsInternal(topic.Name))
        {
            throw Failure(ErrorCode.InvalidTopicException, $"Cannot append to internal topic {topic.Name}.");
        }
        Partition partition = topic.GetPartition(partitionIndex) ?? throw ConsoleException.NotFound($"Partition {partitionIndex} of '{topic.Name}' does not exist.");
        var headers = (request.Headers ?? []).Select(h => new KeyValuePair<string, ReadOnlyMemory<byte>?>(h.Key, Encoding.UTF8.GetBytes(h.Value))).ToList();
        var record = new RecordData(_broker.Time.GetUtcNow().ToUnixTimeMilliseconds(), Utf8(request.Key), Utf8(request.Value), headers);
        byte[] batch = RecordBatchBuilder.Build([record]);
        PartitionAppendResult result = partition.Append(batch, produceVersion: 11);
        if (result.Error != ErrorCode.None)
        {
            throw Failure(result.Error, result.ErrorMessage);
        }
        return new ProduceMessageResult(partition.Index, result.BaseOffset);
    }

    /// <summary>Null stays null (a null key or value), not an empty array (an empty one).</summary>
    private static ReadOnlyMemory<byte>? Utf8(string? text) => text is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(text);

    public int PartitionCount(ConsoleCaller caller, string topicName) => FindAuthorized(caller, topicName, AclOperation.Write, "Produce").Partitions.Length;

    private static ConsoleMessage ToMessage(int partition, BrowsedRecord r)
    {
        var (key, keyBase64, _) = Text(r.Key);
        var (value, valueBase64, truncated) = Text(r.Value);
        var headers = r.Headers.Select(h =>
        {
            var (v, b64, _) = Text(h.Value);
            return new MessageHeader(h.Key, v, b64);
        }).ToList();
        return new ConsoleMessage(partition, r.Offset, r.Timestamp, r.LogAppendTime ? "LogAppendTime" : "CreateTime",
            key, keyBase64, value, valueBase64, truncated, r.Value?.Length ?? -1, headers);
    }

    /// <summary>UTF-8 text when the bytes are valid UTF-8, else base64; cut at <see cref="MaxShownBytes"/>.</summary>
    private static (string? Text, bool Base64, bool Truncated) Text(ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not { } b)
        {
            return (null, false, false);
        }
        bool truncated = b.Length > MaxShownBytes;
        ReadOnlySpan<byte> span = truncated ? b.Span[..MaxShownBytes] : b.Span;
        try
        {
            return (StrictUtf8.GetString(span), false, truncated);
        }
        catch (DecoderFallbackException) when (truncated)
        {
            // the cut may split a character: show what decodes
            return (Encoding.UTF8.GetString(span), false, truncated);
        }
        catch (DecoderFallbackException)
        {
            return (Convert.ToBase64String(span), true, truncated);
        }
    }
}
