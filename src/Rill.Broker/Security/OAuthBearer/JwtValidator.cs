using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Rill.Broker.Security.OAuthBearer;

/// <summary>A valid token's principal (from the sub claim) and expiry.</summary>
internal readonly record struct JwtPrincipal(string Principal, DateTimeOffset ExpiresAt);

/// <summary>
/// Validates an OAUTHBEARER JWT (JWS compact form) as Kafka's OAuthBearerValidatorCallbackHandler does:
/// the signature with a configured key (RS256/384/512, PS256/384/512, ES256/384/512, HS256/384/512;
/// "none" is refused), <c>exp</c> required and in the future, <c>nbf</c>/<c>iat</c> not in the future
/// (each within sasl.oauthbearer.clock.skew.seconds), <c>iss</c> equal to
/// sasl.oauthbearer.expected.issuer and <c>aud</c> containing one of sasl.oauthbearer.expected.audience
/// when those are set, and the principal from sasl.oauthbearer.sub.claim.name.
/// </summary>
internal sealed class JwtValidator
{
    private readonly JwtKeys _keys;
    private readonly string? _issuer;
    private readonly IReadOnlyList<string> _audience;
    private readonly string _subClaim;
    private readonly TimeSpan _skew;
    private readonly TimeProvider _time;

    public JwtValidator(JwtKeys keys, string? issuer, IReadOnlyList<string> audience, string subClaim, TimeSpan skew, TimeProvider time)
    {
        _keys = keys;
        _issuer = issuer;
        _audience = audience;
        _subClaim = subClaim;
        _skew = skew;
        _time = time;
    }

    /// <summary>The principal of a valid token; otherwise null with the reason in <paramref name="error"/>.</summary>
    public JwtPrincipal? Validate(string token, out string? error)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3)
        {
            error = "malformed JWT: expected header.payload.signature";
            return null;
        }
        try
        {
            using var header = JsonDocument.Parse(JwtBase64.Decode(parts[0]));
            using var payload = JsonDocument.Parse(JwtBase64.Decode(parts[1]));
            string? alg = header.RootElement.TryGetProperty("alg", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            string? kid = header.RootElement.TryGetProperty("kid", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            if (alg is null || alg == "none")
            {
                error = "unsigned JWT (alg none) refused";
                return null;
            }
            if (parts[2].Length == 0)
            {
                error = "JWT has no signature";
                return null;
            }
            byte[] signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            byte[] signature = JwtBase64.Decode(parts[2]);
            if (!VerifySignature(alg, kid, signed, signature))
            {
                error = $"JWT signature ({alg}{(kid is null ? "" : ", kid " + kid)}) does not verify with any configured key";
                return null;
            }
            return CheckClaims(payload.RootElement, out error);
        }
        catch (Exception e) when (e is FormatException or JsonException or CryptographicException or InvalidOperationException)
        {
            error = "malformed JWT: " + e.Message;
            return null;
        }
    }

    private bool VerifySignature(string alg, string? kid, byte[] signed, byte[] signature)
    {
        HashAlgorithmName hash = alg[2..] switch
        {
            "256" => HashAlgorithmName.SHA256,
            "384" => HashAlgorithmName.SHA384,
            "512" => HashAlgorithmName.SHA512,
            _ => default,
        };
        if (hash == default)
        {
            return false;
        }
        foreach (JwtKey key in _keys.Current())
        {
            if (kid is not null && key.KeyId is not null && key.KeyId != kid)
            {
                continue;
            }
            bool ok = alg[..2] switch
            {
                "RS" => key.Rsa?.VerifyData(signed, signature, hash, RSASignaturePadding.Pkcs1) ?? false,
                "PS" => key.Rsa?.VerifyData(signed, signature, hash, RSASignaturePadding.Pss) ?? false,
                "ES" => key.Ec?.VerifyData(signed, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation) ?? false,
                "HS" => key.HmacSecret is { } secret && CryptographicOperations.FixedTimeEquals(Hmac(hash, secret, signed), signature),
                _ => false,
            };
            if (ok)
            {
                return true;
            }
        }
        return false;
    }

    private static byte[] Hmac(HashAlgorithmName hash, byte[] key, byte[] data) => hash.Name switch
    {
        "SHA256" => HMACSHA256.HashData(key, data),
        "SHA384" => HMACSHA384.HashData(key, data),
        _ => HMACSHA512.HashData(key, data),
    };

    private JwtPrincipal? CheckClaims(JsonElement claims, out string? error)
    {
        DateTimeOffset now = _time.GetUtcNow();
        if (!claims.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number)
        {
            error = "JWT has no exp claim";
            return null;
        }
        DateTimeOffset expiresAt = DateTimeOffset.FromUnixTimeMilliseconds((long)(exp.GetDouble() * 1000));
        if (expiresAt + _skew <= now)
        {
            error = $"JWT expired at {expiresAt:O}";
            return null;
        }
        foreach (string name in (string[])["nbf", "iat"])
        {
            if (claims.TryGetProperty(name, out var t) && t.ValueKind == JsonValueKind.Number
                && DateTimeOffset.FromUnixTimeMilliseconds((long)(t.GetDouble() * 1000)) - _skew > now)
            {
                error = $"JWT {name} is in the future";
                return null;
            }
        }
        if (_issuer is not null && (!claims.TryGetProperty("iss", out var iss) || iss.ValueKind != JsonValueKind.String || iss.GetString() != _issuer))
        {
            error = "JWT issuer is not " + _issuer;
            return null;
        }
        if (_audience.Count > 0)
        {
            var audiences = new List<string?>();
            if (claims.TryGetProperty("aud", out var aud))
            {
                if (aud.ValueKind == JsonValueKind.String)
                {
                    audiences.Add(aud.GetString());
                }
                else if (aud.ValueKind == JsonValueKind.Array)
                {
                    audiences.AddRange(aud.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()));
                }
            }
            if (!audiences.Any(x => x is not null && _audience.Contains(x)))
            {
                error = "JWT audience is not one of " + string.Join(",", _audience);
                return null;
            }
        }
        if (!claims.TryGetProperty(_subClaim, out var sub) || sub.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(sub.GetString()))
        {
            error = $"JWT has no {_subClaim} claim";
            return null;
        }
        error = null;
        return new JwtPrincipal(sub.GetString()!, expiresAt);
    }
}
