using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Rill.TestKit;

/// <summary>
/// Builds signed JWTs (JWS compact form) for OAUTHBEARER tests: HS256 with a secret or RS256 with an
/// RSA key, any claims. <see cref="Jwks"/> gives the matching public JWKS document.
/// </summary>
public sealed class TestJwt : IDisposable
{
    public const string KeyId = "test-key";

    public RSA Rsa { get; } = RSA.Create(2048);

    public byte[] Secret { get; } = RandomNumberGenerator.GetBytes(32);

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>An RS256 token with <paramref name="claims"/> (kid = <see cref="KeyId"/>).</summary>
    public string Rs256(object claims, string? kid = KeyId)
    {
        string signed = Part(kid is null ? new { alg = "RS256", typ = "JWT" } : new { alg = "RS256", typ = "JWT", kid }) + "." + Part(claims);
        return signed + "." + B64(Rsa.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    /// <summary>An HS256 token with <paramref name="claims"/>, signed with <see cref="Secret"/>.</summary>
    public string Hs256(object claims)
    {
        string signed = Part(new { alg = "HS256", typ = "JWT" }) + "." + Part(claims);
        return signed + "." + B64(HMACSHA256.HashData(Secret, Encoding.ASCII.GetBytes(signed)));
    }

    /// <summary>An unsigned token (alg none), as librdkafka's unsecured builder makes.</summary>
    public static string Unsigned(object claims) => Part(new { alg = "none" }) + "." + Part(claims) + ".";

    /// <summary>The public RSA key as a JWKS document.</summary>
    public string Jwks()
    {
        RSAParameters p = Rsa.ExportParameters(false);
        return JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", kid = KeyId, use = "sig", alg = "RS256", n = B64(p.Modulus!), e = B64(p.Exponent!) } } });
    }

    public string PublicKeyPem() => Rsa.ExportSubjectPublicKeyInfoPem();

    private static string Part(object value) => B64(JsonSerializer.SerializeToUtf8Bytes(value));

    private static string B64(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose() => Rsa.Dispose();
}
