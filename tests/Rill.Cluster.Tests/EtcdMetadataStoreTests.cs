using System.Text;
using Rill.Cluster.Store;

namespace Rill.Cluster.Tests;

public sealed class EtcdMetadataStoreTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Compare_and_swap_succeeds_only_on_the_expected_revision()
    {
        await using var store = new EtcdMetadataStore(fixture.Etcd.EndpointList);
        string key = EtcdFixture.NewPrefix() + "/k";
        Assert.True(await store.TryCommitAsync([new Guard(key, 0)], [new Write(key, B("one"))]));
        Assert.False(await store.TryCommitAsync([new Guard(key, 0)], [new Write(key, B("two"))]));
        VersionedValue first = (await store.GetAsync(key))!.Value;
        Assert.Equal("one", Encoding.UTF8.GetString(first.Value));
        Assert.True(await store.TryCommitAsync([new Guard(key, first.ModRevision)], [new Write(key, B("three"))]));
        Assert.False(await store.TryCommitAsync([new Guard(key, first.ModRevision)], [new Write(key, B("stale"))]));
        Assert.Equal("three", Encoding.UTF8.GetString((await store.GetAsync(key))!.Value.Value));
    }

    [Fact]
    public async Task Watch_delivers_changes_after_a_revision_in_revision_order()
    {
        await using var store = new EtcdMetadataStore(fixture.Etcd.EndpointList);
        string prefix = EtcdFixture.NewPrefix();
        (_, long start) = await store.ListAsync(prefix + "/");
        for (int i = 0; i < 20; i++)
        {
            Assert.True(await store.TryCommitAsync([], [new Write($"{prefix}/k{i % 3}", B(i.ToString()))]));
        }
        Assert.True(await store.TryCommitAsync([], [new Write($"{prefix}/k0", null)]));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<MetadataChange>();
        await foreach (MetadataChange change in store.WatchAsync(prefix + "/", start, cts.Token))
        {
            seen.Add(change);
            if (seen.Count == 21)
            {
                break;
            }
        }
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i.ToString()), seen.Take(20).Select(c => Encoding.UTF8.GetString(c.Value)));
        Assert.True(seen[20].Deleted);
        Assert.Equal($"{prefix}/k0", seen[20].Key);
        Assert.Equal(seen.Select(c => c.ModRevision).Order(), seen.Select(c => c.ModRevision));
    }

    [Fact]
    public async Task A_renewed_lease_outlives_its_ttl_and_its_keys_go_when_it_is_revoked()
    {
        await using var store = new EtcdMetadataStore(fixture.Etcd.EndpointList);
        string key = EtcdFixture.NewPrefix() + "/leased";
        IMetadataLease lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(1));
        Assert.True(await store.TryCommitAsync([], [new Write(key, B("x"), lease.Id)]));
        await Task.Delay(2500); // longer than the TTL: only renewal keeps the key
        Assert.NotNull(await store.GetAsync(key));
        Assert.False(lease.Lost.IsCompleted);
        await lease.DisposeAsync();
        Assert.Null(await store.GetAsync(key));
    }

    [Fact]
    public async Task Writes_go_through_while_one_etcd_member_is_down()
    {
        await using var store = new EtcdMetadataStore(fixture.Etcd.EndpointList);
        string key = EtcdFixture.NewPrefix() + "/k";
        fixture.Etcd.Pause(0);
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    return await store.TryCommitAsync([], [new Write(key, B("v"))]);
                }
                catch (Grpc.Core.RpcException)
                {
                    return false;
                }
            }, "a write with member 0 paused");
        }
        finally
        {
            fixture.Etcd.Resume(0);
        }
        Assert.Equal("v", Encoding.UTF8.GetString((await store.GetAsync(key))!.Value.Value));
    }
}
