using Microsoft.Extensions.Logging;

namespace Rill.Hosting;

/// <summary>
/// The services Kestrel asks its application for on the Kafka listeners: only the logger factory (its
/// connection middleware is Rill's own). A dependency-injection container here cost about 8 ms of start-up,
/// compiling its generic service lookup code before the first listener opened.
/// </summary>
internal sealed class LoggerOnlyServices(ILoggerFactory loggerFactory) : IServiceProvider
{
    public object? GetService(Type serviceType) => serviceType == typeof(ILoggerFactory) ? loggerFactory : null;
}
