namespace Rill.Protocol.Tests;

public class ThrottledResponseTests
{
    [Fact]
    public void Every_response_with_a_throttle_time_is_marked_so_the_broker_can_set_it()
    {
        var missing = typeof(IApiMessage).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Response", StringComparison.Ordinal) && typeof(IApiMessage).IsAssignableFrom(t)
                && t.GetProperty("ThrottleTimeMs") is { PropertyType.Name: "Int32" })
            .Where(t => !typeof(IThrottledResponse).IsAssignableFrom(t))
            .Select(t => t.Name)
            .ToList();
        Assert.True(missing.Count == 0, "Add to src/Rill.Protocol/Messages/ThrottledResponses.cs: " + string.Join(", ", missing));
        Assert.True(typeof(IThrottledResponse).IsAssignableFrom(typeof(Messages.ProduceResponse)));
    }
}
