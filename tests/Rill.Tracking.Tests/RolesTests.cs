using System.Net;
using System.Text.Json;
using Rill.Tracking.Hosting;

namespace Rill.Tracking.Tests;

public sealed class RolesTests
{
    [Fact]
    public async Task ARoleSubsetServesOnlyItsRolesAndIsHealthyWhenTheyRun()
    {
        string dir = Directory.CreateTempSubdirectory("rill-tracking-roles-").FullName;
        await using var broker = await TestApp.StartBrokerAsync();
        await using (var app = await TestApp.StartAsync(broker, dir, "ingest,history"))
        {
            JsonElement health = await app.GetJsonAsync("/health");
            Assert.Equal(["history", "ingest"], health.GetProperty("roles").EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal(HttpStatusCode.NotFound, (await app.Http.GetAsync("/api/support/riders")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await app.Http.GetAsync("/api/orders/x/stream?token=t")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await app.Http.GetAsync("/api/history/stats")).StatusCode);
            await using var admin = new Rill.Client.AdminClient(new Rill.Client.AdminClientConfig { BootstrapServers = broker.BootstrapServers });
            var groups = (await admin.ListGroupsAsync()).Select(g => g.GroupId).ToList();
            Assert.Contains(GroupIds.History, groups);
            Assert.DoesNotContain(GroupIds.Customer, groups);
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task ByDefaultItStartsItsOwnBrokerWithTheTopicsAndEveryRole()
    {
        string dir = Directory.CreateTempSubdirectory("rill-tracking-default-").FullName;
        await using (var app = await TestApp.StartAsync(null, dir))
        {
            Assert.NotNull(app.App.Kafka.Embedded);
            Assert.StartsWith(Path.Combine(dir, "broker"), app.App.Kafka.Embedded!.DataDirectory);
            string banner = app.App.Banner();
            Assert.Contains(app.App.Kafka.BootstrapServers, banner);
            Assert.Contains("/support.html", banner);
            JsonElement health = await app.GetJsonAsync("/health");
            Assert.Equal(6, health.GetProperty("roles").EnumerateObject().Count(p => p.Value.GetBoolean()));
            await using var admin = new Rill.Client.AdminClient(new Rill.Client.AdminClientConfig { BootstrapServers = app.App.Kafka.BootstrapServers });
            var topics = await admin.DescribeTopicsAsync([TopicNames.RiderUpdates, TopicNames.RiderLatest, TopicNames.OrderEvents]);
            Assert.Equal(4, topics[0].Partitions.Count);
            var configs = await admin.DescribeConfigsAsync(Rill.Client.ConfigResourceType.Topic, TopicNames.RiderLatest);
            Assert.Equal("compact", configs.Single(c => c.Name == "cleanup.policy").Value);
            Assert.True(File.Exists(Path.Combine(dir, "history.db")));
            var city = await app.Http.GetStringAsync("/api/city");
            Assert.Contains("FeatureCollection", city);
            Assert.True((await app.GetJsonAsync("/api/restaurants")).GetArrayLength() > 0);
        }
        Directory.Delete(dir, true);
    }
}
