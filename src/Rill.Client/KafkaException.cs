using Rill.Protocol;

namespace Rill.Client;

/// <summary>A Kafka error: the broker's error code (or a client-side one such as a timeout) and whether a retry may succeed.</summary>
public class KafkaException : Exception
{
    /// <summary>An error with this code; the message defaults to the code's name and number.</summary>
    public KafkaException(ErrorCode code, string? message = null, Exception? inner = null)
        : base(message ?? $"Kafka error {code} ({(short)code}).", inner)
    {
        ErrorCode = code;
    }

    /// <summary>The Kafka error code.</summary>
    public ErrorCode ErrorCode { get; }

    /// <summary>True for errors Kafka marks retriable (leader moves, timeouts, coordinator loading, ...).</summary>
    public bool IsRetriable => IsRetriableCode(ErrorCode);

    /// <summary>True for the error codes Kafka marks retriable.</summary>
    public static bool IsRetriableCode(ErrorCode code) => code is ErrorCode.NotLeaderOrFollower or ErrorCode.LeaderNotAvailable
        or ErrorCode.UnknownTopicOrPartition or ErrorCode.RequestTimedOut or ErrorCode.NetworkException
        or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.CoordinatorLoadInProgress
        or ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator or ErrorCode.KafkaStorageError
        or ErrorCode.BrokerNotAvailable or ErrorCode.ReplicaNotAvailable;

    internal static void ThrowIfError(short code, string context, string? message = null)
    {
        if (code != 0)
        {
            throw new KafkaException((ErrorCode)code, $"{context}: {(ErrorCode)code}{(message is null ? "" : " - " + message)}");
        }
    }
}
