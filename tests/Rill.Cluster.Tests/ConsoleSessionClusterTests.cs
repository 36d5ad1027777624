using System.Net;
using System.Text.Json;
using Rill.Cluster.Tests.Harness;

namespace Rill.Cluster.Tests;

/// <summary>
/// A console login made through one broker of a cluster is valid on the others (the session key is in the
/// metadata store), and a logout through another broker revokes it on the first.
/// </summary>
public sealed class ConsoleSessionClusterTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private const string Jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required user_admin=\"admin-secret\";";

    private static Task<(HttpStatusCode Status, JsonElement Body, string? Cookie)> SendAsync(RillProcess broker, HttpMethod method, string path,
        string? cookie = null, object? body = null, string? csrf = null) => ConsoleHttp.SendAsync(broker.HttpAddress!, method, path, cookie, body, csrf);

    [Fact]
    public async Task A_login_through_one_broker_is_valid_on_another_and_a_logout_there_revokes_it()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 2,
        [
            "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
            "sasl.enabled.mechanisms=PLAIN",
            "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + Jaas,
            "broker.session.timeout.ms=3000",
        ]);
        var (status, body, cookie) = await SendAsync(cluster.Broker(1), HttpMethod.Post, "/api/login", body: new { username = "admin", password = "admin-secret" });
        Assert.Equal(HttpStatusCode.OK, status);
        string csrf = body.GetProperty("csrfToken").GetString()!;

        // Broker 2 reads the key from the metadata store (its watch may deliver it a moment later).
        await Eventually.TrueAsync(async () => (await SendAsync(cluster.Broker(2), HttpMethod.Get, "/api/topics", cookie)).Status == HttpStatusCode.OK,
            "broker 2 accepts broker 1's session");
        (status, body, _) = await SendAsync(cluster.Broker(2), HttpMethod.Get, "/api/session", cookie);
        Assert.Equal(("User:admin", csrf), (body.GetProperty("principal").GetString(), body.GetProperty("csrfToken").GetString()));

        (status, _, _) = await SendAsync(cluster.Broker(2), HttpMethod.Post, "/api/logout", cookie, csrf: csrf);
        Assert.Equal(HttpStatusCode.NoContent, status);
        await Eventually.TrueAsync(async () => (await SendAsync(cluster.Broker(1), HttpMethod.Get, "/api/topics", cookie)).Status == HttpStatusCode.Unauthorized,
            "broker 1 sees the logout made through broker 2");
    }
}
