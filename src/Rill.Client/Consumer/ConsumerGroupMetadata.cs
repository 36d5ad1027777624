namespace Rill.Client;

/// <summary>
/// Who a consumer is in its group, for <see cref="Producer{TKey, TValue}.SendOffsetsToTransactionAsync"/>:
/// the group coordinator accepts transactional offset commits only from the current member at the
/// current generation (KIP-447), so a zombie consumer cannot commit.
/// </summary>
public sealed record ConsumerGroupMetadata(string GroupId, int GenerationId = -1, string MemberId = "", string? GroupInstanceId = null);
