using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Rill.Broker.Quotas;

namespace Rill.Broker.Network;

/// <summary>
/// Admits an accepted connection through the connection quotas before any byte is read: waits for
/// max.connections and the creation rates, and closes the connection when max.connections.per.ip or
/// the ip's connection_creation_rate refuses it (logged and counted in rill.connection.refused).
/// </summary>
internal static class ConnectionAdmission
{
    public static async ValueTask<ConnectionSlot?> AdmitAsync(ConnectionQuotas quotas, ConnectionContext connection, string? listener,
        ILogger log, CancellationToken stopping)
    {
        IPAddress? address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        ConnectionSlot? slot = null;
        ConnectionRefusal refusal = ConnectionRefusal.None;
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, stopping);
        try
        {
            (slot, refusal) = await quotas.AcquireAsync(listener, address, aborted.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        if (slot is not null)
        {
            return slot;
        }
        if (refusal != ConnectionRefusal.None)
        {
            log.LogInformation("Closing connection {Connection} from {Remote}: {Reason}", connection.ConnectionId, connection.RemoteEndPoint,
                refusal == ConnectionRefusal.PerIpLimit ? "max.connections.per.ip reached" : "connection_creation_rate quota of its ip exceeded");
        }
        await connection.Transport.Input.CompleteAsync().ConfigureAwait(false);
        await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
        return null;
    }
}
