using Xunit;

namespace Rill.TestKit;

/// <summary>
/// Deterministic waits: poll a condition until it holds or a bounded timeout passes, instead of
/// sleeping a fixed time and hoping. A timeout fails the test with the given description.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> is true.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
        => TrueAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Waits until <paramref name="condition"/> is true.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s waiting for: {what}");
            await Task.Delay(Poll);
        }
    }

    /// <summary>Waits until <paramref name="probe"/> returns a value that satisfies <paramref name="accept"/>, and returns it.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, string what, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            T value = await probe();
            if (accept(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s waiting for: {what} (last: {value})");
            await Task.Delay(Poll);
        }
    }
}
