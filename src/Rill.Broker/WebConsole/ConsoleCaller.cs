using System.Net;
using Rill.Broker.Security;

namespace Rill.Broker.WebConsole;

/// <summary>
/// Who a console request runs as: the principal of its login session (<c>User:name</c>) and the
/// browser's address, checked by the broker's authorizer exactly as a Kafka connection with that
/// principal and address would be. Without login (no security configured) the console runs as
/// <see cref="Anonymous"/>, which an authorizer that is off allows everything.
/// </summary>
public sealed record ConsoleCaller(string Principal, EndPoint? Remote)
{
    public static ConsoleCaller Anonymous { get; } = new(ConnectionSession.Anonymous, null);
}
