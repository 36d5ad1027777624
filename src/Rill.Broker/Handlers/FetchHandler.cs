using Rill.Broker.FetchSessions;
using Rill.Broker.Security.Authorization;
using System.Buffers;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Compression;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Broker.Handlers;

/// <summary>
/// Fetch (key 1), v0-16. v4+ returns stored batches as stored (no re-encoding): a fetch offset inside a
/// batch returns that whole batch, and clients skip the records before their offset. Long polling:
/// the response waits up to MaxWaitMs for MinBytes, woken by appends to any requested partition.
/// MaxBytes and PartitionMaxBytes bound the response, except that the first non-empty partition
/// always returns at least one whole batch (KIP-74). Fetch sessions (KIP-227, v7+): a full fetch with epoch 0
/// creates a session, incremental fetches then send only changed partitions and get only partitions with new
/// data or changed metadata (<see cref="FetchSessionContext"/>, <see cref="FetchTargets"/>).
/// Topic ids from v13. Isolation level read_committed (v4+, 1) returns only batches below the
/// partition's last stable offset, with the aborted transactions that have data in the returned range
/// (an empty list when none, as Kafka); MinBytes then counts only those bytes, and a transaction marker
/// wakes the waiting fetch. read_uncommitted reads up to the high watermark and reports no aborted list.
/// v0-3 (old clients) get the stored batches down-converted to legacy message sets
/// (<see cref="RecordDownConverter"/>): magic 0 for v0-1, magic 1 (timestamps) for v2-3, always
/// uncompressed, no headers, no control batches. Sizes count converted bytes: v3 bounds the response
/// by MaxBytes and returns the first message of the first non-empty partition whole even when it is
/// larger (KIP-74); v0-2 have only PartitionMaxBytes, and a first message larger than it is answered
/// with its first PartitionMaxBytes bytes (a partial message, as old brokers did), which old clients
/// report as a message too large for their fetch size. Only this path allocates its output buffer
/// (once per partition read, not per record).
/// </summary>
internal sealed class FetchHandler : ApiHandler<FetchRequest, FetchResponse>
{
    private readonly KafkaBroker _broker;

    public FetchHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.Fetch;
    public override short MinVersion => 0;
    public override short MaxVersion => 16;

    protected override async ValueTask<FetchResponse?> HandleAsync(RequestContext context, FetchRequest request)
    {
        short version = context.ApiVersion;
        var session = FetchSessionContext.Create(_broker.FetchSessions, request, version);
        if (session.Mode == FetchSessionMode.Error)
        {
            return new FetchResponse { ErrorCode = (short)session.Error, SessionId = 0 };
        }
        long deadline = _broker.Time.GetTimestamp() + (long)(Math.Max(0, request.MaxWaitMs) * (_broker.Time.TimestampFrequency / 1000.0));
        int maxBytes = version >= 3 && request.MaxBytes > 0 ? request.MaxBytes : int.MaxValue;
        maxBytes = Math.Min(maxBytes, _broker.Quotas.FetchMaxBytes(context)); // a fetch quota bounds one response (Kafka)
        // Both arrays are rented for the request (an incremental fetch of many idle partitions otherwise allocated
        // ~100 B per partition for them) and returned when it is answered: the response holds neither.
        FetchTarget[] targets = session.Session is { } incremental
            ? FetchTargets.FromSession(incremental, out int count)
            : FetchTargets.FromRequest(request, version, out count);
        FetchResponse.PartitionData?[] data = System.Buffers.ArrayPool<FetchResponse.PartitionData?>.Shared.Rent(count);
        try
        {
            List<Partition?> partitions = Resolve(context, request, version, targets.AsSpan(0, count));
            Task? changed = null;
            bool expired = false;
            while (true)
            {
                var (bytes, anyError) = Read(context, request, targets.AsSpan(0, count), data.AsSpan(0, count), version, maxBytes);
                TimeSpan remaining = _broker.Time.GetElapsedTime(_broker.Time.GetTimestamp(), deadline);
                bool enough = request.MinBytes <= 0 || bytes >= request.MinBytes;
                if (enough || anyError || expired || remaining <= TimeSpan.Zero)
                {
                    return FetchTargets.Respond(_broker.FetchSessions, session, request, version, targets.AsSpan(0, count), data.AsSpan(0, count));
                }
                context.ReturnBuffers();
                if (changed is null)
                {
                    // Arm the append signals, then read again: an append between the read above
                    // and the arming would otherwise go unnoticed until the deadline.
                    changed = PartitionSignals.WhenAnyAppended(partitions);
                    continue;
                }
                long parked = System.Diagnostics.Stopwatch.GetTimestamp();
                await PartitionSignals.WaitAsync(changed, remaining, _broker.Time, context.Aborted).ConfigureAwait(false);
                context.WaitTicks += System.Diagnostics.Stopwatch.GetTimestamp() - parked;
                // A wait that ended by its timeout is the deadline: answer with what the read finds now. Looping back
                // on a remaining fraction of a millisecond (timers are in whole ms) spun: hundreds of reads and waits
                // at the end of every idle long poll (issue 16).
                expired = !changed.IsCompleted;
                changed = null;
            }
        }
        finally
        {
            FetchTargets.Return(targets, count);
            data.AsSpan(0, count).Clear();
            System.Buffers.ArrayPool<FetchResponse.PartitionData?>.Shared.Return(data);
        }
    }

    /// <summary>
    /// Finds each target's partition (null where unknown or not authorized, with <see cref="FetchTarget.Denied"/>
    /// set where not authorized) and returns them in target order for the append signals. A consumer needs READ
    /// on each topic; a follower (replica id / replica state set) needs CLUSTER_ACTION on the cluster for all of them.
    /// </summary>
    private List<Partition?> Resolve(RequestContext context, FetchRequest request, short version, Span<FetchTarget> targets)
    {
        var result = new List<Partition?>(targets.Length);
        bool follower = request.ReplicaId >= 0 || request.ReplicaState is { ReplicaId: >= 0 };
        bool clusterAllowed = !follower || _broker.Authorizer.AllowsCluster(context, AclOperation.ClusterAction);
        Topic? found = null;
        bool allowed = false;
        for (int i = 0; i < targets.Length; i++)
        {
            ref FetchTarget target = ref targets[i];
            if (i == 0 || !target.SameTopicAs(targets[i - 1]))
            {
                found = version >= 13 ? _broker.Topics.Find(target.TopicId) : _broker.Topics.Find(target.Topic);
                string? name = found?.Name ?? (version >= 13 ? null : target.Topic);
                allowed = follower ? clusterAllowed
                    : name is null || _broker.Authorizer.Allows(context, AclOperation.Read, AclResourceType.Topic, name);
            }
            target.Denied = !allowed;
            target.Found = allowed ? found?.GetPartition(target.Partition) : null;
            result.Add(target.Found);
        }
        return result;
    }

    /// <summary>
    /// Reads every target. The entry of a session partition with nothing to answer (no records, no error, the
    /// offsets last answered) stays null: an incremental fetch of many idle partitions builds no response entry
    /// for them (<see cref="FetchTargets.Respond"/> leaves them out).
    /// </summary>
    private (long Bytes, bool AnyError) Read(RequestContext context, FetchRequest request,
        ReadOnlySpan<FetchTarget> targets, Span<FetchResponse.PartitionData?> result, short version, int maxBytes)
    {
        result.Clear(); // a long poll reads again into the same entries
        int replicaId = Replication.ReplicaFetch.ReplicaIdOf(request, version);
        bool readCommitted = version >= 4 && request.IsolationLevel == 1;
        long total = 0;
        bool anyError = false;
        for (int i = 0; i < targets.Length; i++)
        {
            ref readonly FetchTarget requested = ref targets[i];
            Partition? partition = requested.Found;
            ErrorCode refused = requested.Denied ? ErrorCode.TopicAuthorizationFailed
                : partition is null ? (version >= 13 ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition)
                // not joined yet: its local log is not the partition's
                : Replication.ClusterReadiness.AwaitsClusterState(_broker, partition) ? ErrorCode.NotLeaderOrFollower
                : ErrorCode.None;
            if (refused != ErrorCode.None)
            {
                result[i] = FetchTargets.Answer(requested.Partition, refused);
                anyError = true;
                continue;
            }
            if (partition!.Replica is { IsLeader: true } leading
                && Replication.ReplicaFetch.AnswerBeforeRead(partition, leading, requested, version) is { } early)
            {
                result[i] = early;
                anyError = true; // answer now: a fence or a diverging epoch is not worth a long poll
                continue;
            }
            int budget = (int)Math.Min(requested.MaxBytes, Math.Max(0, maxBytes - total));
            bool minOneBatch = total == 0;
            PartitionReadResult read = partition.Replica is { } replica && (replicaId >= 0 || !replica.IsLeader)
                ? Replication.ReplicaFetch.Read(partition, replica, replicaId, requested.CurrentLeaderEpoch, requested.FetchOffset, budget, context,
                    requested.FetcherLogStartOffset)
                : version < 4
                ? ReadLegacy(partition, requested.FetchOffset, budget, version, minOneBatch, context)
                : readCommitted ? partition.ReadCommitted(requested.FetchOffset, budget, minOneBatch, context)
                : partition.Read(requested.FetchOffset, budget, minOneBatch, context);
            if (requested.Cached is { } cached
                && cached.Unchanged(!read.Records.IsEmpty, read.Error, read.HighWatermark, read.LastStableOffset, read.LogStartOffset))
            {
                continue;
            }
            FetchResponse.PartitionData data = FetchTargets.Answer(requested.Partition, read.Error);
            data.HighWatermark = read.HighWatermark;
            data.LastStableOffset = read.LastStableOffset;
            if (readCommitted)
            {
                data.AbortedTransactions = read.AbortedTransactions is { } aborted ? ToResponse(aborted) : NoAbortedTransactions;
            }
            data.LogStartOffset = read.LogStartOffset;
            data.Records = read.Records;
            result[i] = data;
            total += read.Records.Length;
            anyError |= read.Error != ErrorCode.None;
        }
        return (total, anyError);
    }

    /// <summary>Shared by every read_committed answer without aborted transactions; only ever serialized.</summary>
    private static readonly List<FetchResponse.AbortedTransaction> NoAbortedTransactions = [];

    private static List<FetchResponse.AbortedTransaction> ToResponse(List<Storage.AbortedTransaction> aborted)
    {
        var result = new List<FetchResponse.AbortedTransaction>(aborted.Count);
        foreach (Storage.AbortedTransaction txn in aborted)
        {
            result.Add(new FetchResponse.AbortedTransaction { ProducerId = txn.ProducerId, FirstOffset = txn.FirstOffset });
        }
        return result;
    }

    /// <summary>Fetch v0-3: reads stored batches and down-converts them to the version's message format.</summary>
    private static PartitionReadResult ReadLegacy(Partition partition, long fetchOffset, int budget, short version,
        bool firstPartition, RequestContext context)
    {
        // v3 (KIP-74) returns a too-large first message only in the first non-empty partition; v0-2 always
        // need the first stored batch, to answer a too-large message with its partial first bytes.
        bool firstWhole = version == 3 && firstPartition;
        bool partialFirst = version < 3;
        PartitionReadResult read = partition.Read(fetchOffset, budget, firstWhole || partialFirst, context);
        if (read.Error != ErrorCode.None || read.Records.IsEmpty)
        {
            return read;
        }
        var output = new ArrayBufferWriter<byte>(Math.Min(Math.Max(budget, 256), read.Records.Length * 2 + 256));
        try
        {
            RecordDownConverter.Convert(read.Records.Span, fetchOffset, version >= 2 ? (byte)1 : (byte)0, budget,
                firstWhole, partialFirst, output);
        }
        catch (Exception e) when (e is InvalidDataException or CompressionException)
        {
            return read with { Error = ErrorCode.CorruptMessage, Records = ReadOnlyMemory<byte>.Empty };
        }
        return read with { Records = output.WrittenMemory };
    }
}
