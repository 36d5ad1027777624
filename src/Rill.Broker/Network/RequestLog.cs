using Microsoft.Extensions.Logging;
using Rill.Protocol;

namespace Rill.Broker.Network;

/// <summary>
/// The request log (Kafka's <c>kafka.request.logger</c> at DEBUG): one line per served request under
/// the category <c>Rill.Broker.Requests</c>, written only when debug is enabled (<c>rill.log.level=debug</c>).
/// The connection handler checks <see cref="ILogger.IsEnabled"/> before computing anything, so with
/// debug off a request costs one flag check here and allocates nothing.
/// </summary>
internal static partial class RequestLog
{
    public const string Category = "Rill.Broker.Requests";

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug,
        Message = "Completed {Api} v{Version} correlation {CorrelationId} client {ClientId} principal {Principal} connection {Connection} from {Remote}: " +
            "{ResponseBytes} response bytes, total {TotalMs:F3} ms (queue {QueueMs:F3}, local {LocalMs:F3}, send {SendMs:F3})")]
    public static partial void Completed(ILogger log, ApiKey api, short version, int correlationId, string? clientId, string principal,
        string connection, System.Net.EndPoint? remote, int responseBytes, double totalMs, double queueMs, double localMs, double sendMs);
}
