using Rill.Protocol;
using Rill.Protocol.Messages;
using static Rill.Broker.Tests.TransactionTests;

namespace Rill.Broker.Tests;

/// <summary>TxnOffsetCommit: offsets held until the commit marker, dropped on abort, KIP-447 checks, across a restart.</summary>
public class TransactionOffsetsTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string> Properties => new Dictionary<string, string>
    {
        ["transaction.state.log.num.partitions"] = "3",
        ["offsets.topic.num.partitions"] = "3",
        ["group.initial.rebalance.delay.ms"] = "0",
    };

    private static async Task<short> AddOffsetsAsync(WireClient client, string id, long pid, short epoch, string group)
        => (await client.RequestAsync<AddOffsetsToTxnResponse>(ApiKey.AddOffsetsToTxn, 3,
            new AddOffsetsToTxnRequest { TransactionalId = id, ProducerId = pid, ProducerEpoch = epoch, GroupId = group })).ErrorCode;

    private static async Task<short> TxnCommitAsync(WireClient client, string id, long pid, short epoch, string group, long offset,
        int generation = -1, string member = "")
    {
        var response = await client.RequestAsync<TxnOffsetCommitResponse>(ApiKey.TxnOffsetCommit, 3, new TxnOffsetCommitRequest
        {
            TransactionalId = id, GroupId = group, ProducerId = pid, ProducerEpoch = epoch, GenerationId = generation, MemberId = member,
            Topics = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic
            {
                Name = "src",
                Partitions = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = offset, CommittedMetadata = "m" }],
            }],
        });
        return response.Topics[0].Partitions[0].ErrorCode;
    }

    private static async Task<(short Error, long Offset)> FetchOffsetAsync(WireClient client, string group, bool requireStable)
    {
        var response = await client.RequestAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, 7, new OffsetFetchRequest
        {
            GroupId = group, RequireStable = requireStable,
            Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "src", PartitionIndexes = [0] }],
        });
        var p = response.Topics[0].Partitions[0];
        return (p.ErrorCode, p.CommittedOffset);
    }

    [Fact]
    public async Task Offsets_count_from_the_commit_marker_and_an_abort_drops_them()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "src", 1);
        var (pid, epoch) = await InitAsync(client, "tx-o");

        // Without AddOffsetsToTxn the group's partition is not in the transaction.
        Assert.Equal((short)ErrorCode.InvalidTxnState, await TxnCommitAsync(client, "tx-o", pid, epoch, "g1", 42));

        Assert.Equal(0, await AddOffsetsAsync(client, "tx-o", pid, epoch, "g1"));
        Assert.Equal(0, await TxnCommitAsync(client, "tx-o", pid, epoch, "g1", 42));
        Assert.Equal(((short)ErrorCode.UnstableOffsetCommit, -1L), await FetchOffsetAsync(client, "g1", requireStable: true));
        Assert.Equal(((short)0, -1L), await FetchOffsetAsync(client, "g1", requireStable: false));
        Assert.Equal(0, await EndAsync(client, "tx-o", pid, epoch, commit: true));
        await Eventually.TrueAsync(async () => await FetchOffsetAsync(client, "g1", requireStable: true) == (0, 42), "offset 42 visible");

        await Eventually.TrueAsync(async () => await AddOffsetsAsync(client, "tx-o", pid, epoch, "g1") == 0, "next transaction starts");
        Assert.Equal(0, await TxnCommitAsync(client, "tx-o", pid, epoch, "g1", 50));
        Assert.Equal(0, await EndAsync(client, "tx-o", pid, epoch, commit: false));
        await Eventually.TrueAsync(async () => await FetchOffsetAsync(client, "g1", requireStable: true) == (0, 42), "abort leaves 42");
        // A fenced producer cannot commit offsets.
        var (_, epoch2) = await InitAsync(client, "tx-o");
        Assert.Equal((short)ErrorCode.ProducerFenced, await TxnCommitAsync(client, "tx-o", pid, epoch, "g1", 60));
        Assert.Equal(0, await AddOffsetsAsync(client, "tx-o", pid, epoch2, "g1"));
    }

    [Fact]
    public async Task Group_metadata_of_the_committer_is_checked_as_KIP_447_asks()
    {
        await using var client = await ConnectAsync();
        var first = await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, Join("g2", ""));
        var joined = await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, Join("g2", first.MemberId));
        Assert.Equal(0, joined.ErrorCode);
        Assert.Equal(0, (await client.RequestAsync<SyncGroupResponse>(ApiKey.SyncGroup, 5, new SyncGroupRequest
        {
            GroupId = "g2", GenerationId = joined.GenerationId, MemberId = joined.MemberId, ProtocolType = "consumer", ProtocolName = "range",
            Assignments = [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = joined.MemberId, Assignment = new byte[] { 1 } }],
        })).ErrorCode);

        var (pid, epoch) = await InitAsync(client, "tx-447");
        Assert.Equal(0, await AddOffsetsAsync(client, "tx-447", pid, epoch, "g2"));
        Assert.Equal((short)ErrorCode.IllegalGeneration, await TxnCommitAsync(client, "tx-447", pid, epoch, "g2", 7, joined.GenerationId + 1, joined.MemberId));
        Assert.Equal((short)ErrorCode.UnknownMemberId, await TxnCommitAsync(client, "tx-447", pid, epoch, "g2", 7, joined.GenerationId, "someone-else"));
        Assert.Equal(0, await TxnCommitAsync(client, "tx-447", pid, epoch, "g2", 7, joined.GenerationId, joined.MemberId));
        Assert.Equal(0, await EndAsync(client, "tx-447", pid, epoch, commit: true));
        await Eventually.TrueAsync(async () => await FetchOffsetAsync(client, "g2", requireStable: true) == (0, 7), "offset 7 visible");
    }

    private static JoinGroupRequest Join(string group, string memberId) => new()
    {
        GroupId = group, SessionTimeoutMs = 30_000, RebalanceTimeoutMs = 30_000, MemberId = memberId, ProtocolType = "consumer",
        Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = new byte[] { 0, 1, 0, 0, 0, 0, 255, 255, 255, 255 } }],
    };

    [Fact]
    public async Task Offsets_of_a_transaction_open_across_a_restart_stay_pending_until_it_commits()
    {
        long pid;
        short epoch;
        await using (var client = await ConnectAsync())
        {
            await CreateTopicAsync(client, "src", 1);
            (pid, epoch) = await InitAsync(client, "tx-or");
            Assert.Equal(0, await AddOffsetsAsync(client, "tx-or", pid, epoch, "g3"));
            Assert.Equal(0, await TxnCommitAsync(client, "tx-or", pid, epoch, "g3", 11));
            Assert.Equal(0, await EndAsync(client, "tx-or", pid, epoch, commit: true));
            await Eventually.TrueAsync(async () => await FetchOffsetAsync(client, "g3", requireStable: true) == (0, 11), "offset 11 visible");
            await Eventually.TrueAsync(async () => await AddOffsetsAsync(client, "tx-or", pid, epoch, "g3") == 0, "next transaction starts");
            Assert.Equal(0, await TxnCommitAsync(client, "tx-or", pid, epoch, "g3", 12));
        }
        await Broker.RestartAsync();
        await Broker.Host.Broker.GroupsLoaded;
        await using (var client = await ConnectAsync())
        {
            // The committed offset survives, the open one is still pending.
            Assert.Equal(((short)ErrorCode.UnstableOffsetCommit, -1L), await FetchOffsetAsync(client, "g3", requireStable: true));
            Assert.Equal(((short)0, 11L), await FetchOffsetAsync(client, "g3", requireStable: false));
            Assert.Equal(0, await EndAsync(client, "tx-or", pid, epoch, commit: true));
            await Eventually.TrueAsync(async () => await FetchOffsetAsync(client, "g3", requireStable: true) == (0, 12), "offset 12 visible after restart");
        }
    }
}
