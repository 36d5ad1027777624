using System.Security.Cryptography;
using System.Text;

namespace Rill.Protocol.Sasl;

/// <summary>
/// The SCRAM functions of RFC 5802 section 3 for one hash: Hi (PBKDF2), the client and server keys,
/// proofs and signatures. Shared by the broker (verifying) and the client (proving).
/// </summary>
public static class ScramFunctions
{
    public static byte[] SaltedPassword(ScramMechanism mechanism, string password, ReadOnlySpan<byte> salt, int iterations)
        => Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, mechanism.Hash(), HashSize(mechanism));

    public static byte[] ClientKey(ScramMechanism mechanism, ReadOnlySpan<byte> saltedPassword) => Hmac(mechanism, saltedPassword, "Client Key"u8);

    public static byte[] ServerKey(ScramMechanism mechanism, ReadOnlySpan<byte> saltedPassword) => Hmac(mechanism, saltedPassword, "Server Key"u8);

    public static byte[] StoredKey(ScramMechanism mechanism, ReadOnlySpan<byte> clientKey) => mechanism switch
    {
        ScramMechanism.ScramSha256 => SHA256.HashData(clientKey),
        ScramMechanism.ScramSha512 => SHA512.HashData(clientKey),
        _ => throw new ArgumentOutOfRangeException(nameof(mechanism)),
    };

    public static byte[] Hmac(ScramMechanism mechanism, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => mechanism switch
    {
        ScramMechanism.ScramSha256 => HMACSHA256.HashData(key, data),
        ScramMechanism.ScramSha512 => HMACSHA512.HashData(key, data),
        _ => throw new ArgumentOutOfRangeException(nameof(mechanism)),
    };

    /// <summary>ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage).</summary>
    public static byte[] ClientProof(ScramMechanism mechanism, ReadOnlySpan<byte> saltedPassword, string authMessage)
    {
        byte[] clientKey = ClientKey(mechanism, saltedPassword);
        byte[] signature = Hmac(mechanism, StoredKey(mechanism, clientKey), Encoding.UTF8.GetBytes(authMessage));
        Xor(clientKey, signature);
        return clientKey;
    }

    /// <summary>ServerSignature = HMAC(ServerKey, AuthMessage).</summary>
    public static byte[] ServerSignature(ScramMechanism mechanism, ReadOnlySpan<byte> serverKey, string authMessage)
        => Hmac(mechanism, serverKey, Encoding.UTF8.GetBytes(authMessage));

    /// <summary>
    /// Checks a client proof against the stored key: ClientKey = proof XOR HMAC(StoredKey, AuthMessage),
    /// then H(ClientKey) must equal StoredKey (compared in constant time).
    /// </summary>
    public static bool VerifyClientProof(ScramMechanism mechanism, ReadOnlySpan<byte> storedKey, string authMessage, ReadOnlySpan<byte> proof)
    {
        byte[] signature = Hmac(mechanism, storedKey, Encoding.UTF8.GetBytes(authMessage));
        if (proof.Length != signature.Length)
        {
            return false;
        }
        for (int i = 0; i < signature.Length; i++)
        {
            signature[i] ^= proof[i];
        }
        return CryptographicOperations.FixedTimeEquals(StoredKey(mechanism, signature), storedKey);
    }

    /// <summary>A printable nonce (RFC 5802: no ','), 32 random bytes in base64 without padding ambiguity.</summary>
    public static string Nonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    /// <summary>saslname escaping: ',' as =2C and '=' as =3D.</summary>
    public static string EscapeName(string name) => name.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);

    /// <summary>Reverses <see cref="EscapeName"/>; null when '=' is followed by anything else.</summary>
    public static string? UnescapeName(string name)
    {
        var result = new StringBuilder(name.Length);
        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] != '=')
            {
                result.Append(name[i]);
            }
            else if (string.CompareOrdinal(name, i, "=2C", 0, 3) == 0)
            {
                result.Append(',');
                i += 2;
            }
            else if (string.CompareOrdinal(name, i, "=3D", 0, 3) == 0)
            {
                result.Append('=');
                i += 2;
            }
            else
            {
                return null;
            }
        }
        return result.ToString();
    }

    private static int HashSize(ScramMechanism mechanism) => mechanism == ScramMechanism.ScramSha512 ? 64 : 32;

    private static void Xor(Span<byte> target, ReadOnlySpan<byte> other)
    {
        for (int i = 0; i < target.Length; i++)
        {
            target[i] ^= other[i];
        }
    }
}
