using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rill.Tracking.Streaming;

namespace Rill.Tracking.Tests;

public sealed class SseHubTests
{
    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() { }
    }

    [Fact]
    public async Task AStreamSubscribesBeforeItsSnapshotAndSendsEachRidersPositionsOnlyForward()
    {
        var hub = new SseHub();
        var body = new MemoryStream();
        using var aborted = new CancellationTokenSource();
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddSingleton<IHostApplicationLifetime, Lifetime>().BuildServiceProvider(),
            RequestAborted = aborted.Token,
        };
        context.Response.Body = body;
        Task streaming = hub.StreamAsync(context, "order:o1", () =>
        {
            // published while the snapshot is being computed: must not be lost
            hub.Publish("order:o1", "position", new { ts = 7 }, "r1", 7);
            return [SseMessage.Create("position", new { ts = 5 }, "r1", 5)];
        });
        hub.Publish("order:o1", "position", new { ts = 6 }, "r1", 6); // the worker's older copy: dropped
        hub.Publish("order:o1", "position", new { ts = 7 }, "r1", 7); // a duplicate: dropped
        hub.Publish("order:o1", "position", new { ts = 8 }, "r1", 8);
        hub.Publish("order:o2", "position", new { ts = 9 }, "r2", 9); // another order: never here
        await Wait.UntilAsync(() => Encoding.UTF8.GetString(body.ToArray()).Contains("\"ts\":8"), "the last position");
        await aborted.CancelAsync();
        await streaming;
        string text = Encoding.UTF8.GetString(body.ToArray());
        var sent = text.Split("\n").Where(l => l.StartsWith("data: ")).ToList();
        Assert.Equal(["data: {\"ts\":5}", "data: {\"ts\":7}", "data: {\"ts\":8}"], sent);
        Assert.False(hub.HasSubscribers("order:o1"));
    }
}
