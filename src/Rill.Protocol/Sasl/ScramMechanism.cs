using System.Security.Cryptography;

namespace Rill.Protocol.Sasl;

/// <summary>
/// The SCRAM mechanisms Kafka supports, with the numbers DescribeUserScramCredentials and
/// AlterUserScramCredentials use on the wire (KIP-554). Persisted values are explicit and append-only.
/// </summary>
public enum ScramMechanism : sbyte
{
    Unknown = 0,
    ScramSha256 = 1,
    ScramSha512 = 2,
}

/// <summary>Names, hash functions and iteration limits of the SCRAM mechanisms.</summary>
public static class ScramMechanisms
{
    /// <summary>Kafka's lower bound on iterations (ScramMechanism.minIterations).</summary>
    public const int MinIterations = 4096;

    /// <summary>Kafka's upper bound on iterations accepted by AlterUserScramCredentials.</summary>
    public const int MaxIterations = 16384;

    public static string Name(this ScramMechanism mechanism) => mechanism switch
    {
        ScramMechanism.ScramSha256 => "SCRAM-SHA-256",
        ScramMechanism.ScramSha512 => "SCRAM-SHA-512",
        _ => "UNKNOWN",
    };

    public static ScramMechanism Parse(string? name) => name switch
    {
        "SCRAM-SHA-256" => ScramMechanism.ScramSha256,
        "SCRAM-SHA-512" => ScramMechanism.ScramSha512,
        _ => ScramMechanism.Unknown,
    };

    public static HashAlgorithmName Hash(this ScramMechanism mechanism) => mechanism switch
    {
        ScramMechanism.ScramSha256 => HashAlgorithmName.SHA256,
        ScramMechanism.ScramSha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(mechanism), mechanism, "Not a SCRAM mechanism."),
    };
}
