using System.Buffers;
using System.Net;
using Rill.Protocol;
using Rill.Storage;

namespace Rill.Broker.Handlers;

/// <summary>What a handler knows about the request it is serving besides the request body.</summary>
internal sealed class RequestContext : IReadBufferSource
{
    public required ApiKey ApiKey { get; init; }
    public required short ApiVersion { get; init; }
    public required int CorrelationId { get; init; }
    public string? ClientId { get; init; }
    public required string ConnectionId { get; init; }
    public EndPoint? RemoteEndPoint { get; init; }

    /// <summary>The connection's listener, SASL state and principal; null for connections made without a listener (tests).</summary>
    public Security.ConnectionSession? Session { get; init; }

    /// <summary>Cancelled when the connection closes or the broker stops.</summary>
    public CancellationToken Aborted { get; init; }

    /// <summary>Stopwatch ticks the handler spent parked (a long-polling Fetch), left out of the request-time quota.</summary>
    public long WaitTicks { get; set; }

    /// <summary>Set by a handler to close the connection after this request (acks=0 produce errors).</summary>
    public bool CloseConnection { get; set; }

    private List<byte[]>? _rented;

    /// <summary>
    /// Rents a buffer that lives until the response has been written (for record data a
    /// response refers to without copying); the connection returns it to the pool.
    /// </summary>
    public byte[] RentBuffer(int minimumLength)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(minimumLength);
        (_rented ??= []).Add(buffer);
        return buffer;
    }

    byte[] IReadBufferSource.RentReadBuffer(int minimumLength) => RentBuffer(minimumLength);

    /// <summary>Returns every rented buffer; called once the response is written or abandoned.</summary>
    public void ReturnBuffers()
    {
        if (_rented is null)
        {
            return;
        }
        foreach (byte[] buffer in _rented)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _rented.Clear();
    }
}
