using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rill.Broker.Config;

namespace Rill.Broker.Security.OAuthBearer;

/// <summary>One key a JWT may be signed with: RSA or EC public key, or an HMAC secret; <c>kid</c> when the JWKS names it.</summary>
internal sealed record JwtKey(string? KeyId, RSA? Rsa, ECDsa? Ec, byte[]? HmacSecret);

/// <summary>
/// The keys OAUTHBEARER tokens are checked against: a JWKS file (<c>sasl.oauthbearer.jwks.endpoint.url</c>
/// as a <c>file:</c> URL; RSA, EC and oct keys) and/or one key file
/// (<c>rill.sasl.oauthbearer.verification.key.location</c>: a PEM public key, else the file's bytes
/// are an HMAC secret). Files are read again when their modification time changes, so keys rotate
/// without a restart. Remote (https) JWKS endpoints are not fetched.
/// </summary>
internal sealed class JwtKeys
{
    private readonly string? _jwksPath;
    private readonly string? _keyPath;
    private readonly Lock _lock = new();
    private DateTime _jwksTime, _keyTime;
    private IReadOnlyList<JwtKey> _jwks = [];
    private IReadOnlyList<JwtKey> _key = [];

    public JwtKeys(string? jwksUrl, string? keyPath)
    {
        if (jwksUrl is not null)
        {
            if (!Uri.TryCreate(jwksUrl, UriKind.Absolute, out Uri? uri) || !uri.IsFile)
            {
                throw new ConfigException("sasl.oauthbearer.jwks.endpoint.url", $"'{jwksUrl}' is not a file: URL (Rill reads JWKS from a local file)");
            }
            _jwksPath = uri.LocalPath;
        }
        _keyPath = keyPath;
        if (_jwksPath is null && _keyPath is null)
        {
            throw new ConfigException("sasl.oauthbearer.jwks.endpoint.url",
                "OAUTHBEARER needs verification keys: sasl.oauthbearer.jwks.endpoint.url=file:///... or rill.sasl.oauthbearer.verification.key.location");
        }
        try
        {
            Refresh();
        }
        catch (Exception e) when (e is IOException or JsonException or CryptographicException or FormatException or ArgumentException)
        {
            throw new ConfigException(_jwksPath is not null ? "sasl.oauthbearer.jwks.endpoint.url" : "rill.sasl.oauthbearer.verification.key.location",
                $"cannot read OAUTHBEARER keys: {e.Message}");
        }
    }

    /// <summary>The current keys (files re-read if they changed; a file caught mid-write keeps the old keys).</summary>
    public IReadOnlyList<JwtKey> Current()
    {
        try
        {
            Refresh();
        }
        catch (Exception e) when (e is IOException or JsonException or CryptographicException or FormatException or ArgumentException)
        {
        }
        lock (_lock)
        {
            return [.. _jwks, .. _key];
        }
    }

    private void Refresh()
    {
        if (_jwksPath is not null && File.GetLastWriteTimeUtc(_jwksPath) is var jwksTime && jwksTime != _jwksTime)
        {
            var keys = ParseJwks(File.ReadAllText(_jwksPath));
            lock (_lock)
            {
                (_jwks, _jwksTime) = (keys, jwksTime);
            }
        }
        if (_keyPath is not null && File.GetLastWriteTimeUtc(_keyPath) is var keyTime && keyTime != _keyTime)
        {
            var key = ParseKeyFile(File.ReadAllBytes(_keyPath));
            lock (_lock)
            {
                (_key, _keyTime) = ([key], keyTime);
            }
        }
    }

    internal static JwtKey ParseKeyFile(byte[] content)
    {
        string text = Encoding.UTF8.GetString(content);
        if (!text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return new JwtKey(null, null, null, Encoding.UTF8.GetBytes(text.TrimEnd('\r', '\n')));
        }
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(text);
            return new JwtKey(null, rsa, null, null);
        }
        catch (CryptographicException)
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(text);
            return new JwtKey(null, null, ec, null);
        }
    }

    internal static IReadOnlyList<JwtKey> ParseJwks(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var keys = new List<JwtKey>();
        foreach (JsonElement key in doc.RootElement.GetProperty("keys").EnumerateArray())
        {
            string? kid = key.TryGetProperty("kid", out var k) ? k.GetString() : null;
            switch (key.GetProperty("kty").GetString())
            {
                case "RSA":
                    var rsa = RSA.Create();
                    rsa.ImportParameters(new RSAParameters { Modulus = B64(key, "n"), Exponent = B64(key, "e") });
                    keys.Add(new JwtKey(kid, rsa, null, null));
                    break;
                case "EC":
                    ECCurve curve = key.GetProperty("crv").GetString() switch
                    {
                        "P-256" => ECCurve.NamedCurves.nistP256,
                        "P-384" => ECCurve.NamedCurves.nistP384,
                        "P-521" => ECCurve.NamedCurves.nistP521,
                        var c => throw new FormatException($"unsupported EC curve {c}"),
                    };
                    keys.Add(new JwtKey(kid, null, ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = B64(key, "x"), Y = B64(key, "y") } }), null));
                    break;
                case "oct":
                    keys.Add(new JwtKey(kid, null, null, B64(key, "k")));
                    break;
            }
        }
        return keys;
    }

    private static byte[] B64(JsonElement key, string name) => JwtBase64.Decode(key.GetProperty(name).GetString() ?? "");
}

/// <summary>base64url without padding (RFC 7515).</summary>
internal static class JwtBase64
{
    public static byte[] Decode(string text)
    {
        string s = text.Replace('-', '+').Replace('_', '/');
        s = (s.Length % 4) switch { 2 => s + "==", 3 => s + "=", 1 => throw new FormatException("bad base64url length"), _ => s };
        return Convert.FromBase64String(s);
    }

    public static string Encode(ReadOnlySpan<byte> data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
