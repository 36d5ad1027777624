namespace Rill.Storage.Tests;

/// <summary>A clock that moves only when told to.</summary>
internal sealed class FakeTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public FakeTimeProvider() : this(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow() => _now;

    public long NowMs => _now.ToUnixTimeMilliseconds();

    public void Advance(TimeSpan by) => _now += by;
}
