using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Rill.Broker.Security;

namespace Rill.Hosting;

/// <summary>
/// TLS for one Kafka listener (SSL, SASL_SSL): an <see cref="SslStream"/> server handshake over the
/// socket, then the connection's transport is replaced with pipes over the decrypted stream. The
/// client certificate (mutual TLS) is exposed as <see cref="ITlsConnectionFeature"/>. A failed
/// handshake (garbage, a plaintext client, an untrusted client certificate) closes this
/// connection only.
/// </summary>
internal sealed class TlsConnectionMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly TlsSettings _tls;
    private readonly ILogger _log;

    public TlsConnectionMiddleware(ConnectionDelegate next, TlsSettings tls, ILogger log)
    {
        _next = next;
        _tls = tls;
        _log = log;
    }

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        IDuplexPipe socket = connection.Transport;
        var ssl = new SslStream(new DuplexPipeStream(socket), leaveInnerStreamOpen: false);
        await using (ssl.ConfigureAwait(false))
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                try
                {
                    await ssl.AuthenticateAsServerAsync(_tls.ServerOptions(), timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException
                                             or System.ComponentModel.Win32Exception)
                {
                    _log.LogInformation("TLS handshake with {Remote} failed: {Reason}", connection.RemoteEndPoint, e.Message);
                    return;
                }
            }
            var feature = new TlsFeature(ssl.RemoteCertificate is X509Certificate remote
                ? remote as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(remote.GetRawCertData())
                : null);
            connection.Features.Set<ITlsConnectionFeature>(feature);
            connection.Transport = new SslDuplexPipe(PipeReader.Create(ssl, DecryptedReaderOptions),
                PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true)));
            try
            {
                await _next(connection).ConfigureAwait(false);
            }
            finally
            {
                connection.Transport = socket;
            }
        }
    }

    /// <summary>
    /// SslStream hands out at most one TLS record (16 KiB of plaintext) per read. The default 4 KiB pipe
    /// buffer made that four reads, each a trip through SslStream and the pipe; a read of 16 KiB or more
    /// takes a whole record at once.
    /// </summary>
    internal static readonly StreamPipeReaderOptions DecryptedReaderOptions = new(bufferSize: 32 * 1024, minimumReadSize: 17 * 1024, leaveOpen: true);

    private sealed record SslDuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private sealed class TlsFeature(X509Certificate2? certificate) : ITlsConnectionFeature
    {
        public X509Certificate2? ClientCertificate { get; set; } = certificate;

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);
    }

    /// <summary>The socket's pipes as the one stream SslStream wraps.</summary>
    private sealed class DuplexPipeStream(IDuplexPipe pipe) : Stream
    {
        private readonly Stream _input = pipe.Input.AsStream(leaveOpen: true);
        private readonly Stream _output = pipe.Output.AsStream(leaveOpen: true);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _input.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _output.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _output.WriteAsync(buffer, offset, count, cancellationToken);
        public override void Flush() => _output.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
                _output.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
