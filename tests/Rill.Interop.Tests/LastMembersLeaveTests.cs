namespace Rill.Interop.Tests;

/// <summary>A classic group whose members all close becomes Empty at once, as in Kafka.</summary>
public class LastMembersLeaveTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    [Fact]
    public async Task Two_librdkafka_consumers_closing_leave_an_empty_group_well_before_the_rebalance_timeout()
    {
        // The script fails unless DescribeGroups (kafka-python) answers Empty with 0 members within
        // 15 s of the close; the consumers' rebalance timeout is 60 s.
        string output = await ExternalTool.PythonAsync("confluent_group_empty.py", fixture.Broker.BootstrapServers, "last-members-leave");
        Assert.Contains("ok Empty members=0", output);
    }
}
