using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Rill.Server.Tests;

/// <summary>
/// A stand-in OpenTelemetry collector on 127.0.0.1: takes OTLP/gRPC (HTTP/2 without TLS) or OTLP/HTTP
/// (HTTP/1.1 POST of protobuf) metric exports, answers each as a collector does, and keeps what arrived.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    internal sealed record Export(string Path, string? ContentType, byte[] Body);

    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }
    public ConcurrentQueue<Export> Exports { get; } = new();

    public static async Task<OtlpReceiver> StartAsync(bool grpc)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0,
            l => l.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        WebApplication app = builder.Build();
        OtlpReceiver? receiver = null;
        app.MapPost("/{**path}", async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            receiver!.Exports.Enqueue(new Export(context.Request.Path, context.Request.ContentType, body.ToArray()));
            if (grpc)
            {
                // An empty ExportMetricsServiceResponse: not compressed, length 0; then grpc-status OK in the trailers.
                context.Response.ContentType = "application/grpc";
                await context.Response.Body.WriteAsync(new byte[5]);
                context.Response.AppendTrailer("grpc-status", "0");
            }
            else
            {
                context.Response.ContentType = "application/x-protobuf";
            }
        });
        await app.StartAsync();
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new OtlpReceiver(app, new Uri(bound));
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
