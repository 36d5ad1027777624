using Rill.Broker.Replication.Fetching;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests.Replication.Fetching;

/// <summary>The follower's side of KIP-227 fetch sessions: full, then incremental with only what changed, and back to full after errors.</summary>
public sealed class ReplicaFetchSessionTests
{
    private static (string, FetchRequest.FetchPartition) P(string topic, int partition, long offset, int epoch = 0)
        => (topic, new FetchRequest.FetchPartition { Partition = partition, FetchOffset = offset, CurrentLeaderEpoch = epoch, LogStartOffset = 0, PartitionMaxBytes = 1024 });

    private static (string, int, long)[] Sent(FetchRequest r) => [.. r.Topics.SelectMany(t => t.Partitions.Select(p => (t.Topic, p.Partition, p.FetchOffset)))];

    private static (string, int)[] Forgotten(FetchRequest r) => [.. r.ForgottenTopicsData.SelectMany(t => t.Partitions.Select(p => (t.Topic, p)))];

    [Fact]
    public void The_first_fetch_is_full_then_only_changed_partitions_are_sent_and_removed_ones_forgotten()
    {
        var session = new ReplicaFetchSession();
        var full = new FetchRequest();
        session.Fill(full, [P("a", 0, 10), P("a", 1, 20), P("b", 0, 5)]);
        Assert.Equal((0, 0), (full.SessionId, full.SessionEpoch));
        Assert.Equal([("a", 0, 10L), ("a", 1, 20L), ("b", 0, 5L)], Sent(full));
        session.OnResponse(new FetchResponse { SessionId = 77 });
        Assert.True(session.Incremental);

        // Idle: nothing changed, nothing sent (the leader reads every session partition).
        var idle = new FetchRequest();
        session.Fill(idle, [P("a", 0, 10), P("a", 1, 20), P("b", 0, 5)]);
        Assert.Equal((77, 1), (idle.SessionId, idle.SessionEpoch));
        Assert.Empty(Sent(idle));
        Assert.Empty(Forgotten(idle));
        session.OnResponse(new FetchResponse { SessionId = 77 });

        // a-1 appended (new offset), b-0 left out (an error backs it off), c-0 added, a-0 in a new leader epoch.
        var changed = new FetchRequest();
        session.Fill(changed, [P("a", 0, 10, epoch: 1), P("a", 1, 25), P("c", 0, 0)]);
        Assert.Equal((77, 2), (changed.SessionId, changed.SessionEpoch));
        Assert.Equal([("a", 0, 10L), ("a", 1, 25L), ("c", 0, 0L)], Sent(changed));
        Assert.Equal([("b", 0)], Forgotten(changed));
        session.OnResponse(new FetchResponse { SessionId = 77 });
        Assert.Equal(3, session.HeldCount);

        var back = new FetchRequest();
        session.Fill(back, [P("a", 0, 10, epoch: 1), P("a", 1, 25), P("c", 0, 0), P("b", 0, 5)]);
        Assert.Equal([("b", 0, 5L)], Sent(back));
        Assert.Equal(3, back.SessionEpoch);
    }

    [Fact]
    public void Session_errors_and_failed_requests_make_the_next_fetch_full()
    {
        var session = new ReplicaFetchSession();
        var first = new FetchRequest();
        session.Fill(first, [P("a", 0, 1)]);
        session.OnResponse(new FetchResponse { SessionId = 9 });

        // The leader lost the session (restart, eviction): full, without the old id.
        var incremental = new FetchRequest();
        session.Fill(incremental, [P("a", 0, 1)]);
        session.OnResponse(new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound });
        var full = new FetchRequest();
        session.Fill(full, [P("a", 0, 1)]);
        Assert.Equal((0, 0), (full.SessionId, full.SessionEpoch));
        Assert.Equal([("a", 0, 1L)], Sent(full));
        session.OnResponse(new FetchResponse { SessionId = 12 });

        // A request lost on the wire: full again, naming the old session so the leader closes it.
        var lost = new FetchRequest();
        session.Fill(lost, [P("a", 0, 3)]);
        session.OnFailure();
        var again = new FetchRequest();
        session.Fill(again, [P("a", 0, 3)]);
        Assert.Equal((12, 0), (again.SessionId, again.SessionEpoch));
        Assert.Equal([("a", 0, 3L)], Sent(again));

        // A leader without room answers session id 0: every fetch stays full.
        session.OnResponse(new FetchResponse { SessionId = 0 });
        var sessionless = new FetchRequest();
        session.Fill(sessionless, [P("a", 0, 3)]);
        Assert.Equal((0, 0), (sessionless.SessionId, sessionless.SessionEpoch));
        Assert.Equal([("a", 0, 3L)], Sent(sessionless));
    }

    [Fact]
    public void A_session_the_leader_closed_in_an_incremental_answer_starts_over()
    {
        var session = new ReplicaFetchSession();
        session.Fill(new FetchRequest(), [P("a", 0, 1)]);
        session.OnResponse(new FetchResponse { SessionId = 5 });
        session.Fill(new FetchRequest(), []);
        session.OnResponse(new FetchResponse { SessionId = 0 }); // every partition forgotten: the leader closed it
        var next = new FetchRequest();
        session.Fill(next, [P("a", 0, 1)]);
        Assert.Equal((0, 0), (next.SessionId, next.SessionEpoch));
    }
}
