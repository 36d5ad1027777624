using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Rill.Broker.Security;

namespace Rill.Broker.Network;

/// <summary>
/// After SaslHandshake v0 the client sends SASL tokens as bare size-prefixed frames (no Kafka
/// header) and gets bare size-prefixed tokens back. A failed login closes the connection.
/// </summary>
internal static class SaslRawToken
{
    public static async ValueTask<bool> ServeAsync(ConnectionSession session, ConnectionContext connection, PipeWriter output,
        ReadOnlyMemory<byte> frame, ILogger log)
    {
        string? error = "Authentication failed: too many failed logins from this address; try again later";
        byte[]? reply = session.Listener.IsBlocked(connection.RemoteEndPoint) ? null : session.EvaluateRaw(frame.Span, out error);
        if (reply is null)
        {
            session.Listener.CountFailedLogin(session, connection.RemoteEndPoint);
            log.LogWarning("Failed authentication on listener {Listener} from {Remote} (connection {Connection}): {Error}",
                session.Listener.Name, connection.RemoteEndPoint, connection.ConnectionId, error);
            return false;
        }
        Span<byte> size = output.GetSpan(4);
        BinaryPrimitives.WriteInt32BigEndian(size, reply.Length);
        output.Advance(4);
        reply.CopyTo(output.GetSpan(reply.Length));
        output.Advance(reply.Length);
        await output.FlushAsync().ConfigureAwait(false);
        return true;
    }
}
