using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rill.Server.Tests;

/// <summary>
/// The web console's JSON API on a real `rill serve`, checked against independent Kafka clients:
/// what the console creates, produces, configures and resets is what kcat and librdkafka see, and
/// what those clients do is what the console shows.
/// </summary>
public class ConsoleApiTests
{
    private static HttpClient Http(RillProcess broker) => new() { BaseAddress = broker.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };

    private static async Task<JsonElement> GetAsync(HttpClient http, string path)
    {
        using HttpResponseMessage response = await http.GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Topics_created_produced_configured_and_deleted_in_the_console_are_what_kafka_clients_see()
    {
        await using var broker = await RillProcess.StartAsync();
        using HttpClient http = Http(broker);
        string topic = Unique("console");

        var (status, created) = await SendAsync(http, HttpMethod.Post, "/api/topics",
            new { name = topic, partitions = 3, configs = new Dictionary<string, string> { ["retention.ms"] = "3600000" } });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(3, created.GetProperty("partitions").GetInt32());
        string metadata = await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-L", "-t", topic]);
        Assert.Contains($"topic \"{topic}\" with 3 partitions", metadata);
        Assert.Equal("3600000", (await ExternalTool.PythonAsync("console_clients.py", "config", broker.BootstrapServers, topic, "retention.ms")).Trim());

        (status, JsonElement error) = await SendAsync(http, HttpMethod.Post, "/api/topics", new { name = topic });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("TOPIC_ALREADY_EXISTS", error.GetProperty("error").GetString());

        // Produced by the console, read by kcat.
        (status, JsonElement produced) = await SendAsync(http, HttpMethod.Post, $"/api/topics/{topic}/messages",
            new { partition = 1, key = "k1", value = "{\"id\":1,\"name\":\"first\"}", headers = new Dictionary<string, string> { ["source"] = "console" } });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(1, produced.GetProperty("partition").GetInt32());
        Assert.Equal(0, produced.GetProperty("offset").GetInt64());
        string read = await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-C", "-t", topic, "-p", "1", "-o", "0", "-c", "1", "-e", "-q",
            "-f", "%k|%s|%h\\n"], timeout: TimeSpan.FromSeconds(60));
        Assert.Equal("k1|{\"id\":1,\"name\":\"first\"}|source=console", read.Trim());

        // Produced by kcat, browsed in the console (key, value, headers).
        await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-P", "-t", topic, "-p", "2", "-K", ":", "-H", "trace=abc"],
            stdin: "key2:value-from-kcat\n", timeout: TimeSpan.FromSeconds(60));
        JsonElement messages = await GetAsync(http, $"/api/topics/{topic}/messages?partition=2&from=oldest");
        JsonElement message = Assert.Single(messages.EnumerateArray());
        Assert.Equal("key2", message.GetProperty("key").GetString());
        Assert.Equal("value-from-kcat", message.GetProperty("value").GetString());
        JsonElement header = Assert.Single(message.GetProperty("headers").EnumerateArray());
        Assert.Equal("trace", header.GetProperty("key").GetString());
        Assert.Equal("abc", header.GetProperty("value").GetString());

        // A keyed message without a partition goes where the Java client's murmur2 partitioner puts it.
        int keyed = Rill.Client.Murmur2Partitioner.Partition("k1"u8, 3);
        (_, produced) = await SendAsync(http, HttpMethod.Post, $"/api/topics/{topic}/messages", new { key = "k1", value = "again" });
        Assert.Equal(keyed, produced.GetProperty("partition").GetInt32());

        // No key is a null key (kcat's %K prints its length: -1), not an empty one.
        (_, produced) = await SendAsync(http, HttpMethod.Post, $"/api/topics/{topic}/messages", new { partition = 0, value = "no key" });
        long noKeyOffset = produced.GetProperty("offset").GetInt64();
        JsonElement last = (await GetAsync(http, $"/api/topics/{topic}/messages?partition=0&from=offset&offset={noKeyOffset}")).EnumerateArray().First();
        Assert.Equal(JsonValueKind.Null, last.GetProperty("key").ValueKind);
        read = await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-C", "-t", topic, "-p", "0", "-o", noKeyOffset.ToString(), "-c", "1", "-e", "-q",
            "-f", "%K|%s\n"], timeout: TimeSpan.FromSeconds(60));
        Assert.Equal("-1|no key", read.Trim());

        JsonElement detail = await GetAsync(http, $"/api/topics/{topic}");
        long[] ends = detail.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("highWatermark").GetInt64()).ToArray();
        Assert.Equal([keyed == 0 ? 2 : 1, keyed == 1 ? 2 : 1, keyed == 2 ? 2 : 1], ends);

        // Config edits go through IncrementalAlterConfigs' path: librdkafka's DescribeConfigs sees them.
        (status, _) = await SendAsync(http, HttpMethod.Put, $"/api/topics/{topic}/configs", new { set = new Dictionary<string, string> { ["retention.ms"] = "7200000" } });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("7200000", (await ExternalTool.PythonAsync("console_clients.py", "config", broker.BootstrapServers, topic, "retention.ms")).Trim());
        (status, error) = await SendAsync(http, HttpMethod.Put, $"/api/topics/{topic}/configs", new { set = new Dictionary<string, string> { ["retention.msec"] = "1" } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("INVALID_CONFIG", error.GetProperty("error").GetString());
        (status, _) = await SendAsync(http, HttpMethod.Put, $"/api/topics/{topic}/configs", new { delete = new[] { "retention.ms" } });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("604800000", (await ExternalTool.PythonAsync("console_clients.py", "config", broker.BootstrapServers, topic, "retention.ms")).Trim());

        // The topic list pages and filters on the server.
        JsonElement page = await GetAsync(http, $"/api/topics?q={topic}&limit=10");
        Assert.Equal(1, page.GetProperty("total").GetInt32());
        Assert.Equal(4, page.GetProperty("items")[0].GetProperty("messages").GetInt64());

        (status, _) = await SendAsync(http, HttpMethod.Delete, $"/api/topics/{topic}");
        Assert.Equal(HttpStatusCode.NoContent, status);
        (status, _) = await SendAsync(http, HttpMethod.Get, $"/api/topics/{topic}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        metadata = await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-L"]);
        Assert.DoesNotContain($"\"{topic}\"", metadata);
    }

    [Fact]
    public async Task Search_reads_within_its_byte_budget_and_resumes_from_its_cursor()
    {
        await using var broker = await RillProcess.StartAsync("num.partitions=1");
        using HttpClient http = Http(broker);
        string topic = Unique("search");
        await ExternalTool.PythonAsync("console_clients.py", "produce", broker.BootstrapServers, topic, "20000", "16384");
        long size = (await GetAsync(http, $"/api/topics/{topic}")).GetProperty("partitions")[0].GetProperty("sizeBytes").GetInt64();
        Assert.True(size > 200_000, $"the partition holds {size} bytes");

        const int budget = 64 * 1024;
        string? cursor = null;
        var matches = new List<JsonElement>();
        int passes = 0;
        bool done = false;
        while (!done)
        {
            Assert.True(++passes < 100, "the search never finished");
            JsonElement pass = await GetAsync(http, $"/api/topics/{topic}/search?value=value-19999&budgetBytes={budget}&budgetMs=10000"
                + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            long scanned = pass.GetProperty("scannedBytes").GetInt64();
            Assert.InRange(scanned, 0, budget + 20 * 1024); // the last batch read may overrun the budget by up to batch.size
            matches.AddRange(pass.GetProperty("matches").EnumerateArray());
            done = pass.GetProperty("done").GetBoolean();
            JsonElement position = pass.GetProperty("positions")[0];
            Assert.Equal(20000, position.GetProperty("end").GetInt64());
            cursor = $"{position.GetProperty("partition").GetInt32()}:{position.GetProperty("next").GetInt64()}:{position.GetProperty("end").GetInt64()}";
        }
        Assert.True(passes >= 3, $"a {size}-byte partition searched with a {budget}-byte budget took {passes} passes");
        JsonElement match = Assert.Single(matches);
        Assert.Equal(19999, match.GetProperty("offset").GetInt64());
        Assert.Equal("value-19999", match.GetProperty("value").GetString());

        // Key search: the keys are key-N; "value" is in no key.
        JsonElement byKey = await GetAsync(http, $"/api/topics/{topic}/search?key=value");
        Assert.Empty(byKey.GetProperty("matches").EnumerateArray());
        Assert.True(byKey.GetProperty("done").GetBoolean());
        byKey = await GetAsync(http, $"/api/topics/{topic}/search?key=key-12345");
        Assert.Equal(12345, Assert.Single(byKey.GetProperty("matches").EnumerateArray()).GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Group_lag_members_and_offset_resets_follow_the_group_coordinator()
    {
        await using var broker = await RillProcess.StartAsync("num.partitions=1", "group.initial.rebalance.delay.ms=0");
        using HttpClient http = Http(broker);
        string topic = Unique("lag"), group = Unique("group");
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await ExternalTool.PythonAsync("produce_and_commit.py", "produce", broker.BootstrapServers, topic, "10", (now - 60_000).ToString());
        await ExternalTool.PythonAsync("console_clients.py", "consume", broker.BootstrapServers, group, topic, "4");

        JsonElement detail = await GetAsync(http, $"/api/groups/{group}");
        Assert.Equal("Empty", detail.GetProperty("state").GetString());
        JsonElement offset = Assert.Single(detail.GetProperty("offsets").EnumerateArray());
        Assert.Equal(4, offset.GetProperty("committedOffset").GetInt64());
        Assert.Equal(10, offset.GetProperty("logEndOffset").GetInt64());
        Assert.Equal(6, offset.GetProperty("lagRecords").GetInt64());
        Assert.InRange(offset.GetProperty("lagSeconds").GetDouble(), 55, 180);
        Assert.True(detail.GetProperty("canReset").GetBoolean());
        JsonElement listed = (await GetAsync(http, $"/api/groups?q={group}")).GetProperty("items")[0];
        Assert.Equal(6, listed.GetProperty("lagRecords").GetInt64());
        JsonElement reader = Assert.Single((await GetAsync(http, $"/api/topics/{topic}")).GetProperty("groups").EnumerateArray());
        Assert.Equal(group, reader.GetProperty("groupId").GetString());

        // A live member: the console shows it and its assignment, and refuses to reset (Kafka's rule).
        using (Process member = StartHold(broker, group, topic))
        {
            Assert.Equal("assigned", await member.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));
            detail = await GetAsync(http, $"/api/groups/{group}");
            Assert.Equal("Stable", detail.GetProperty("state").GetString());
            JsonElement m = Assert.Single(detail.GetProperty("members").EnumerateArray());
            JsonElement assignment = Assert.Single(m.GetProperty("assignment").EnumerateArray());
            Assert.Equal(topic, assignment.GetProperty("topic").GetString());
            Assert.Equal(0, assignment.GetProperty("partitions")[0].GetInt32());
            Assert.False(detail.GetProperty("canReset").GetBoolean());
            var (refused, error) = await SendAsync(http, HttpMethod.Post, $"/api/groups/{group}/reset-offsets", new { to = "earliest" });
            Assert.Equal(HttpStatusCode.Conflict, refused);
            Assert.Equal("NON_EMPTY_GROUP", error.GetProperty("error").GetString());
            member.StandardInput.Close();
            await member.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        await Eventually.TrueAsync(async () => (await GetAsync(http, $"/api/groups/{group}")).GetProperty("state").GetString() == "Empty",
            "the group to be empty once its member left");

        var (status, plan) = await SendAsync(http, HttpMethod.Post, $"/api/groups/{group}/reset-offsets", new { to = "earliest", dryRun = true });
        Assert.Equal(HttpStatusCode.OK, status);
        JsonElement change = Assert.Single(plan.GetProperty("changes").EnumerateArray());
        Assert.Equal(4, change.GetProperty("current").GetInt64());
        Assert.Equal(0, change.GetProperty("new").GetInt64());
        Assert.Equal("4", (await ExternalTool.PythonAsync("console_clients.py", "committed", broker.BootstrapServers, group, topic, "0")).Trim());

        (status, _) = await SendAsync(http, HttpMethod.Post, $"/api/groups/{group}/reset-offsets", new { to = "offset", offset = 2 });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("2", (await ExternalTool.PythonAsync("console_clients.py", "committed", broker.BootstrapServers, group, topic, "0")).Trim());
        (status, _) = await SendAsync(http, HttpMethod.Post, $"/api/groups/{group}/reset-offsets", new { to = "timestamp", timestamp = now + 3_600_000 });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("10", (await ExternalTool.PythonAsync("console_clients.py", "committed", broker.BootstrapServers, group, topic, "0")).Trim());
        (status, _) = await SendAsync(http, HttpMethod.Post, $"/api/groups/{group}/reset-offsets", new { to = "earliest" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("0", (await ExternalTool.PythonAsync("console_clients.py", "committed", broker.BootstrapServers, group, topic, "0")).Trim());

        // The lag history the console samples saw the lag of 10 after the reset to earliest.
        await Eventually.TrueAsync(async () => (await GetAsync(http, $"/api/groups/{group}/lag-history")).EnumerateArray()
            .Any(p => p.GetProperty("lagRecords").GetInt64() == 10), "the lag history to record a lag of 10", TimeSpan.FromSeconds(30));
    }

    private static Process StartHold(RillProcess broker, string group, string topic)
    {
        var info = new ProcessStartInfo(ExternalTool.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { ExternalTool.Script("console_clients.py"), "hold", broker.BootstrapServers, group, topic, "90" })
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info)!;
    }

    [Fact]
    public async Task The_console_serves_its_pages_and_can_be_turned_off()
    {
        await using (var broker = await RillProcess.StartAsync())
        {
            using HttpClient http = Http(broker);
            Assert.Contains(", console)", broker.Output);
            string page = await http.GetStringAsync("/console/");
            Assert.Contains("<script src=\"app.js\"></script>", page);
            using HttpResponseMessage script = await http.GetAsync("/console/app.js");
            Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
            Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 10_000);
            using var conditional = new HttpRequestMessage(HttpMethod.Get, "/console/app.js");
            conditional.Headers.TryAddWithoutValidation("If-None-Match", script.Headers.ETag!.Tag);
            Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(conditional)).StatusCode);
            JsonElement cluster = await GetAsync(http, "/api/cluster");
            Assert.Equal(broker.Port, Assert.Single(cluster.GetProperty("brokers").EnumerateArray()).GetProperty("port").GetInt32());
            Assert.False(string.IsNullOrEmpty(cluster.GetProperty("version").GetString()));
            // Without an authorizer or SASL listener the console needs no login and there are no ACLs (as DescribeAcls answers).
            JsonElement session = await GetAsync(http, "/api/session");
            Assert.True(session.GetProperty("authenticated").GetBoolean());
            Assert.False(session.GetProperty("loginRequired").GetBoolean());
            var (status, error) = await SendAsync(http, HttpMethod.Get, "/api/acls");
            Assert.Equal((HttpStatusCode.BadRequest, "SECURITY_DISABLED"), (status, error.GetProperty("error").GetString()));
            Assert.Equal(0, (await GetAsync(http, "/api/users")).GetArrayLength());
        }
        await using (var broker = await RillProcess.StartAsync("rill.console.enabled=false"))
        {
            using HttpClient http = Http(broker);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/cluster")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/console/")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);
        }
    }
}
