using Rill.Protocol;
using static Rill.Broker.Tests.TransactionTests;

namespace Rill.Broker.Tests;

/// <summary>transactional.id.expiration.ms on the broker's clock: an idle id is removed (a tombstone in __transaction_state).</summary>
public class TransactionExpiryTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string> Properties => new Dictionary<string, string>
    {
        ["transaction.state.log.num.partitions"] = "2",
        ["transactional.id.expiration.ms"] = "3000",
        ["transaction.remove.expired.transaction.cleanup.interval.ms"] = "100",
    };

    [Fact]
    public async Task An_idle_transactional_id_expires_and_stays_gone_after_a_restart()
    {
        long pid;
        await using (var client = await ConnectAsync())
        {
            (pid, _) = await InitAsync(client, "tx-idle");
            var described = await DescribeAsync(client, "tx-idle");
            Assert.Equal((0, "Empty"), (described.ErrorCode, described.TransactionState));
            await Eventually.TrueAsync(async () => (await DescribeAsync(client, "tx-idle")).ErrorCode == (short)ErrorCode.TransactionalIdNotFound,
                "tx-idle expired", TimeSpan.FromSeconds(30));
        }
        await Broker.RestartAsync();
        await Broker.Host.Broker.GroupsLoaded;
        // The id's last record is a tombstone (a null value, not an empty one).
        Assert.Null(Broker.Host.Broker.Transactions.Log.ReadAll().Last().Value);
        await using (var client = await ConnectAsync())
        {
            Assert.Equal((short)ErrorCode.TransactionalIdNotFound, (await DescribeAsync(client, "tx-idle")).ErrorCode);
            // It starts afresh: a new producer id at epoch 0.
            var (pid2, epoch2) = await InitAsync(client, "tx-idle");
            Assert.NotEqual(pid, pid2);
            Assert.Equal(0, epoch2);
        }
    }
}
