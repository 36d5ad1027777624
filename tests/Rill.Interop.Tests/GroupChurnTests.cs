namespace Rill.Interop.Tests;

/// <summary>librdkafka groups under churn: killed members, continuous production while members come and go, static members, the seeds' scenario.</summary>
public class GroupChurnTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    [Fact]
    public async Task A_killed_member_s_partitions_go_to_the_survivor_after_the_session_timeout()
    {
        string output = await ExternalTool.PythonAsync("confluent_group_churn.py", "kill", fixture.Broker.BootstrapServers, "churn-kill");
        Assert.Contains("ok kill", output);
    }

    [Fact]
    public async Task Nothing_is_lost_when_members_join_and_leave_during_continuous_production()
    {
        string output = await ExternalTool.PythonAsync("confluent_group_churn.py", "churn", fixture.Broker.BootstrapServers, "churn-continuous");
        Assert.Contains("ok churn", output);
    }

    [Fact]
    public async Task A_static_member_restarting_within_its_session_gets_its_partitions_back_without_a_rebalance()
    {
        string output = await ExternalTool.PythonAsync("confluent_group_churn.py", "static", fixture.Broker.BootstrapServers, "churn-static");
        Assert.Contains("ok static", output);
    }

    [Fact]
    public async Task Rider_updates_reach_all_four_groups_in_order_with_south_on_partition_zero()
    {
        string output = await ExternalTool.PythonAsync("confluent_riders.py", fixture.Broker.BootstrapServers);
        Assert.Contains("ok 1000", output);
        foreach (string group in new[] { "customer-app", "restaurant", "support", "db-writer" })
        {
            Assert.Contains($"{group} 1000", output);
        }
    }
}
