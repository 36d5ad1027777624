using Rill.Broker.Quotas;

namespace Rill.Broker.Tests.Quotas;

/// <summary>Kafka's sampled rate and throttle formula, on a fake clock (11 windows of 1 s, Kafka's defaults).</summary>
public class RateWindowTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_first_burst_is_measured_over_at_least_samples_minus_one_windows()
    {
        var rate = new RateWindow(11, 1000);
        rate.Record(1000, _clock.NowMs);
        Assert.Equal(10_000, rate.WindowSizeMs(_clock.NowMs));
        Assert.Equal(100, rate.Rate(_clock.NowMs), 6);
    }

    [Fact]
    public void A_new_sample_starts_when_the_current_one_is_a_window_old()
    {
        var rate = new RateWindow(11, 1000);
        long start = _clock.NowMs;
        rate.Record(100, start);
        rate.Record(100, start + 1500);
        // 200 over 1.5 s elapsed padded by 9 windows to the 10-window minimum.
        Assert.Equal(10_500, rate.WindowSizeMs(start + 1500));
        Assert.Equal(200 / 10.5, rate.Rate(start + 1500), 6);
    }

    [Fact]
    public void Samples_older_than_all_windows_are_forgotten()
    {
        var rate = new RateWindow(11, 1000);
        long start = _clock.NowMs;
        rate.Record(1000, start);
        Assert.True(rate.Rate(start + 10_999) > 0);
        Assert.Equal(0, rate.Rate(start + 11_000));
    }

    [Fact]
    public void After_many_windows_the_rate_is_the_total_over_the_elapsed_time()
    {
        var rate = new RateWindow(11, 1000);
        long start = _clock.NowMs;
        for (int second = 0; second < 30; second++)
        {
            rate.Record(500, start + second * 1000L); // 500 B/s steady
        }
        long now = start + 29_500;
        double measured = rate.Rate(now);
        Assert.InRange(measured, 450, 550);
    }

    [Fact]
    public void Throttle_time_is_the_excess_over_the_bound_times_the_window_as_Kafka_computes_it()
    {
        var sensor = new QuotaSensor(11, 1000, []);
        long now = _clock.NowMs;
        // 1000 bytes in a 10 s window = 100 B/s against 50 B/s: (100 - 50) / 50 x 10,000 ms.
        Assert.Equal(10_000, sensor.RecordAndGetThrottleMs(1000, 50, now));
        Assert.Equal(100, sensor.Rate(now), 6);
    }

    [Fact]
    public void Within_the_bound_there_is_no_throttle_and_the_value_is_still_recorded()
    {
        var sensor = new QuotaSensor(11, 1000, []);
        long now = _clock.NowMs;
        Assert.Equal(0, sensor.RecordAndGetThrottleMs(400, 50, now)); // 40 B/s
        Assert.Equal(0, sensor.RecordAndGetThrottleMs(100, 50, now)); // exactly 50 B/s
        Assert.Equal(200, sensor.RecordAndGetThrottleMs(10, 50, now)); // 51 B/s: 1/50 x 10 s
    }

    [Fact]
    public void Request_time_throttle_is_bounded_to_one_window()
    {
        var sensor = new QuotaSensor(11, 1000, []);
        Assert.Equal(1000, sensor.RecordAndGetThrottleMs(100_000, 1, _clock.NowMs, maxThrottleMs: 1000));
    }

    [Fact]
    public void Unrecord_takes_back_a_value()
    {
        var sensor = new QuotaSensor(11, 1000, []);
        long now = _clock.NowMs;
        Assert.True(sensor.RecordAndGetThrottleMs(5000, 50, now) > 0);
        sensor.Unrecord(5000, now);
        Assert.Equal(0, sensor.Rate(now), 6);
        Assert.Equal(0, sensor.RecordAndGetThrottleMs(100, 50, now));
    }

    [Fact]
    public void A_client_that_waits_each_throttle_is_held_near_its_quota()
    {
        // A producer sending 10 KB requests as fast as allowed against 20 KB/s, waiting every throttle
        // (as KIP-219 clients do): over two minutes of fake time it achieves about the quota.
        var sensor = new QuotaSensor(11, 1000, []);
        long start = _clock.NowMs, now = start, sent = 0;
        while (now - start < 120_000)
        {
            long throttle = sensor.RecordAndGetThrottleMs(10_000, 20_000, now);
            sent += 10_000;
            now += Math.Max(throttle, 5); // 5 ms per request when not throttled
        }
        double achieved = sent / ((now - start) / 1000.0);
        Assert.InRange(achieved, 20_000 * 0.9, 20_000 * 1.15);
    }

    [Fact]
    public void Max_value_in_quota_window_is_the_bound_over_samples_minus_one_windows()
    {
        var sensor = new QuotaSensor(11, 1000, []);
        Assert.Equal(10_000, sensor.MaxValueInQuotaWindow(1000), 6);
    }
}
