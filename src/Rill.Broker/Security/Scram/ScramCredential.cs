using Rill.Protocol.Sasl;

namespace Rill.Broker.Security.Scram;

/// <summary>
/// What the broker keeps of a SCRAM password (RFC 5802): the salt, the iteration count, StoredKey
/// and ServerKey. The password and the salted password are never stored.
/// </summary>
internal sealed record ScramCredential(byte[] Salt, byte[] StoredKey, byte[] ServerKey, int Iterations)
{
    /// <summary>The credential for a salted password, as AlterUserScramCredentials sends it.</summary>
    public static ScramCredential FromSaltedPassword(ScramMechanism mechanism, byte[] salt, byte[] saltedPassword, int iterations)
    {
        byte[] clientKey = ScramFunctions.ClientKey(mechanism, saltedPassword);
        return new ScramCredential(salt, ScramFunctions.StoredKey(mechanism, clientKey), ScramFunctions.ServerKey(mechanism, saltedPassword), iterations);
    }
}
