namespace Rill.Broker.Config;

/// <summary>One entry of <c>listeners</c> / <c>advertised.listeners</c>: <c>NAME://host:port</c>.</summary>
/// <param name="Name">The listener name, upper case (PLAINTEXT, CLIENT, ...).</param>
/// <param name="Host">The host; empty means "all interfaces" (Kafka binds the default interface).</param>
/// <param name="Port">The port; 0 asks the operating system for a free one.</param>
public sealed record ListenerAddress(string Name, string Host, int Port)
{
    /// <summary>The protocol the name maps to through listener.security.protocol.map.</summary>
    public string SecurityProtocol { get; init; } = "PLAINTEXT";

    public override string ToString() =>
        $"{Name}://{(Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port}";
}
