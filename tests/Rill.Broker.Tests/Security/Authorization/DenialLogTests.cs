using System.Net;
using Microsoft.Extensions.Logging;
using Rill.Broker.Handlers;
using Rill.Broker.Security.Authorization;
using Rill.Protocol;

namespace Rill.Broker.Tests.Security.Authorization;

/// <summary>Refusals are logged as Kafka's kafka.authorizer.logger does; checks that only filter an answer are not.</summary>
public class DenialLogTests
{
    private sealed class CapturingLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }

    [Fact]
    public void A_refused_check_is_logged_with_principal_operation_host_resource_and_api()
    {
        var log = new CapturingLogger();
        var authorizer = new AclAuthorizer(true, [], false, new InMemoryAclStore(), log);
        var context = new RequestContext
        {
            ApiKey = ApiKey.Produce, ApiVersion = 9, CorrelationId = 7, ConnectionId = "c1",
            RemoteEndPoint = new IPEndPoint(IPAddress.Parse("10.0.0.9"), 5555),
        };
        Assert.False(authorizer.Allows(context, AclOperation.Write, AclResourceType.Topic, "orders"));
        Assert.False(authorizer.Allows(context, AclOperation.Describe, AclResourceType.Topic, "hidden", logIfDenied: false));
        Assert.Equal(
            ["Information: Principal = User:ANONYMOUS is Denied Operation = WRITE from host = 10.0.0.9 on resource = TOPIC:orders for request = Produce"],
            log.Lines);
    }
}
