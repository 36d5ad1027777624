using System.Security.Cryptography;
using System.Text;

namespace Rill.Tracking.Auth;

/// <summary>
/// HMAC-SHA256 tokens the app issues and checks: a rider token binds a rider id and its region
/// ("r.&lt;riderId&gt;.&lt;region&gt;.&lt;mac&gt;", base64url parts), an order token binds an order id.
/// Instances that share the secret accept each other's tokens.
/// </summary>
public sealed class TokenSigner
{
    private readonly byte[] _secret;

    public TokenSigner(byte[] secret) => _secret = secret;

    /// <summary>The signing secret derived from the operator key, so every instance with the same key agrees.</summary>
    public static TokenSigner FromOperatorKey(string operatorKey) =>
        new(HMACSHA256.HashData(Encoding.UTF8.GetBytes(operatorKey), "rill-tracking-token-secret"u8));

    public string IssueRiderToken(string riderId, string region) => Issue("r", riderId, region);

    public string IssueOrderToken(string orderId) => Issue("o", orderId, "");

    /// <summary>The rider id and region when the token is a valid rider token.</summary>
    public bool TryReadRiderToken(string? token, out string riderId, out string region) =>
        TryRead(token, "r", out riderId, out region);

    public bool CheckOrderToken(string orderId, string? token) =>
        TryRead(token, "o", out string id, out _) && id == orderId;

    private string Issue(string kind, string subject, string extra)
    {
        string body = $"{kind}.{B64(subject)}.{B64(extra)}";
        return $"{body}.{Base64Url(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(body)))}";
    }

    private bool TryRead(string? token, string kind, out string subject, out string extra)
    {
        subject = extra = "";
        if (string.IsNullOrEmpty(token) || token.Length > 1024)
        {
            return false;
        }
        string[] parts = token.Split('.');
        if (parts.Length != 4 || parts[0] != kind)
        {
            return false;
        }
        string body = $"{parts[0]}.{parts[1]}.{parts[2]}";
        byte[] expected = HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(body));
        byte[]? given = FromBase64Url(parts[3]);
        if (given is null || !CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return false;
        }
        byte[]? s = FromBase64Url(parts[1]);
        byte[]? e = FromBase64Url(parts[2]);
        if (s is null || e is null)
        {
            return false;
        }
        subject = Encoding.UTF8.GetString(s);
        extra = Encoding.UTF8.GetString(e);
        return true;
    }

    private static string B64(string text) => Base64Url(Encoding.UTF8.GetBytes(text));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        string s = text.Replace('-', '+').Replace('_', '/');
        s += (s.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
