using Rill.Coordination.Groups.Consumer;

namespace Rill.Coordination.Groups;

/// <summary>
/// A group id's state and the executor that owns it. A group is classic until a KIP-848 member
/// joins it while empty; from then on <see cref="Consumer"/> holds it (and an empty consumer group
/// becomes classic again when a classic member joins). Both fields change only on the executor.
/// </summary>
internal sealed class GroupEntry(ClassicGroup classic, SerialExecutor executor)
{
    public ClassicGroup Classic { get; } = classic;
    public SerialExecutor Executor { get; } = executor;
    public ConsumerGroup? Consumer { get; set; }
}
