using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Rill.Broker.Config;
using Rill.Broker.Security;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Sasl;

namespace Rill.Broker.Replication;

/// <summary>
/// How a follower reaches a leader, as Kafka's inter-broker settings say: <c>inter.broker.listener.name</c> (or the
/// listener named by <c>security.inter.broker.protocol</c>) picks the leader's endpoint and the security protocol;
/// over TLS the leader's certificate must chain to that listener's truststore (this broker's keystore is the client
/// certificate, for <c>ssl.client.auth=required</c>); over SASL the mechanism is
/// <c>sasl.mechanism.inter.broker.protocol</c> (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) with the username and password of
/// the listener's JAAS config (<c>listener.name.&lt;l&gt;.&lt;mechanism&gt;.sasl.jaas.config</c>, else <c>sasl.jaas.config</c>).
/// Without any of these settings: the leader's first listener, as before.
/// </summary>
internal sealed class InterBrokerSecurity
{
    private readonly ListenerSecurity? _listener;
    private readonly string? _username;
    private readonly string? _password;
    private readonly bool _checkHostName;

    private InterBrokerSecurity(string? listenerName, ListenerSecurity? listener, string? mechanism, string? username, string? password, bool checkHostName)
    {
        ListenerName = listenerName;
        _listener = listener;
        Mechanism = mechanism;
        _username = username;
        _password = password;
        _checkHostName = checkHostName;
    }

    /// <summary>The listener followers connect to; null: each leader's first registered listener.</summary>
    public string? ListenerName { get; }

    public SecurityProtocol Protocol => _listener?.Protocol ?? SecurityProtocol.Plaintext;

    /// <summary>The SASL mechanism on a SASL listener; null otherwise.</summary>
    public string? Mechanism { get; }

    public static InterBrokerSecurity Plaintext { get; } = new(null, null, null, null, null, false);

    public static InterBrokerSecurity FromConfig(BrokerConfig config, BrokerSecurity security)
    {
        string? named = Explicit(config, "inter.broker.listener.name");
        string? protocol = Explicit(config, "security.inter.broker.protocol");
        if (named is not null && protocol is not null)
        {
            throw new ConfigException("inter.broker.listener.name", "Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.");
        }
        string? name = (named ?? protocol)?.ToUpperInvariant();
        ListenerAddress? listener = name is null ? null : config.Listeners.FirstOrDefault(l => l.Name == name);
        if (name is not null && listener is null)
        {
            throw new ConfigException(named is not null ? "inter.broker.listener.name" : "security.inter.broker.protocol",
                $"Listener {name} is not in listeners ({string.Join(",", config.Listeners.Select(l => l.Name))}).");
        }
        if (listener is null)
        {
            return Plaintext;
        }
        ListenerSecurity secured = security.For(listener.Name);
        var props = new ListenerProperties(config, listener.Name);
        bool checkHostName = !string.Equals(props.Get("ssl.endpoint.identification.algorithm") ?? "https", "", StringComparison.Ordinal)
            && !string.Equals(props.Get("ssl.endpoint.identification.algorithm"), "none", StringComparison.OrdinalIgnoreCase);
        if (!secured.Protocol.UsesSasl())
        {
            return new InterBrokerSecurity(listener.Name, secured, null, null, null, checkHostName);
        }
        string mechanism = (Explicit(config, "sasl.mechanism.inter.broker.protocol") ?? "PLAIN").ToUpperInvariant();
        if (mechanism is not ("PLAIN" or "SCRAM-SHA-256" or "SCRAM-SHA-512"))
        {
            throw new ConfigException("sasl.mechanism.inter.broker.protocol", $"Rill brokers authenticate to each other with PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, not {mechanism}.");
        }
        string property = "listener.name." + listener.Name.ToLowerInvariant() + "." + mechanism.ToLowerInvariant() + ".sasl.jaas.config";
        string jaas = props.GetListenerOnly(mechanism.ToLowerInvariant() + ".sasl.jaas.config") ?? props.Get("sasl.jaas.config")
            ?? throw new ConfigException(property, $"The inter-broker listener {listener.Name} uses SASL/{mechanism}: set {property} with username and password.");
        JaasConfig parsed = JaasConfig.Parse(property, jaas);
        if (!parsed.Options.TryGetValue("username", out string? username) || !parsed.Options.TryGetValue("password", out string? password))
        {
            throw new ConfigException(property, $"The inter-broker listener {listener.Name} uses SASL/{mechanism}: its JAAS config needs username=\"...\" password=\"...\".");
        }
        return new InterBrokerSecurity(listener.Name, secured, mechanism, username, password, checkHostName);
    }

    private static string? Explicit(BrokerConfig config, string name) =>
        config.ExplicitValues.TryGetValue(name, out string? value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>TLS over the connection when the listener uses it (the stream itself otherwise).</summary>
    public async Task<Stream> SecureAsync(Stream stream, string host, CancellationToken cancellationToken)
    {
        if (_listener?.Tls is not { } tls)
        {
            return stream;
        }
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, certificate, chain, errors) => Validate(tls, certificate, chain, errors));
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                EnabledSslProtocols = tls.Protocols,
                // SslStream on Linux sends a client certificate whose key came from a PKCS#12 store.
                ClientCertificates = [X509CertificateLoader.LoadPkcs12(tls.CurrentCertificate().Export(X509ContentType.Pkcs12), null)],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return ssl;
    }

    private bool Validate(TlsSettings tls, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || _checkHostName && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }
        if (tls.TrustedCertificates.Count == 0)
        {
            return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        }
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(tls.TrustedCertificates);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        return custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    /// <summary>SaslHandshake v1 and SaslAuthenticate v1 on a new channel, when the listener uses SASL.</summary>
    public async Task AuthenticateAsync(ReplicaChannel channel, CancellationToken cancellationToken)
    {
        if (Mechanism is not { } mechanism)
        {
            return;
        }
        TimeSpan timeout = TimeSpan.FromSeconds(10);
        var handshake = await channel.SendAsync<SaslHandshakeResponse>(ApiKey.SaslHandshake, 1, new SaslHandshakeRequest { Mechanism = mechanism }, timeout,
            cancellationToken).ConfigureAwait(false);
        if (handshake.ErrorCode != 0)
        {
            throw new IOException($"The leader refused SASL mechanism {mechanism} (error {handshake.ErrorCode}; it offers {string.Join(",", handshake.Mechanisms)}).");
        }
        async Task<byte[]> Exchange(byte[] message)
        {
            var response = await channel.SendAsync<SaslAuthenticateResponse>(ApiKey.SaslAuthenticate, 1, new SaslAuthenticateRequest { AuthBytes = message },
                timeout, cancellationToken).ConfigureAwait(false);
            if (response.ErrorCode != 0)
            {
                throw new IOException($"Inter-broker SASL/{mechanism} authentication as {_username} failed: {response.ErrorMessage} (error {response.ErrorCode}).");
            }
            return response.AuthBytes.ToArray();
        }
        if (mechanism == "PLAIN")
        {
            await Exchange(Encoding.UTF8.GetBytes("\0" + _username + "\0" + _password)).ConfigureAwait(false);
            return;
        }
        ScramMechanism scram = ScramMechanisms.Parse(mechanism);
        string clientFirstBare = "n=" + ScramFunctions.EscapeName(_username!) + ",r=" + ScramFunctions.Nonce();
        string serverFirst = Encoding.UTF8.GetString(await Exchange(Encoding.UTF8.GetBytes("n,," + clientFirstBare)).ConfigureAwait(false));
        ScramAttributes attributes = ScramAttributes.Parse(serverFirst) ?? throw new IOException("Bad SCRAM server-first message.");
        string nonce = attributes.Get('r') ?? throw new IOException("SCRAM server-first message without a nonce.");
        byte[] salt = Convert.FromBase64String(attributes.Get('s') ?? throw new IOException("SCRAM server-first message without a salt."));
        int iterations = int.Parse(attributes.Get('i') ?? throw new IOException("SCRAM server-first message without iterations."), System.Globalization.CultureInfo.InvariantCulture);
        byte[] salted = ScramFunctions.SaltedPassword(scram, _password!, salt, iterations);
        string withoutProof = "c=biws,r=" + nonce;
        string authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        string clientFinal = withoutProof + ",p=" + Convert.ToBase64String(ScramFunctions.ClientProof(scram, salted, authMessage));
        string serverFinal = Encoding.UTF8.GetString(await Exchange(Encoding.UTF8.GetBytes(clientFinal)).ConfigureAwait(false));
        string expected = "v=" + Convert.ToBase64String(ScramFunctions.ServerSignature(scram, ScramFunctions.ServerKey(scram, salted), authMessage));
        if (serverFinal != expected)
        {
            throw new IOException("The leader's SCRAM server signature is wrong.");
        }
    }
}
