using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using TrialManager.Server.Security;

namespace TrialManager.Integration.Tests.Security;

/// <summary>
/// The failed-sign-in counter on its own, on a fake clock: the limit, the window's end, Retry-After, and that
/// concurrent counting and clean-up neither lose nor invent a failure.
/// </summary>
public sealed class FixedWindowCounterTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void TryCount_CountsUpToTheLimit_ThenRefusesWithTheRestOfTheWindow_AndOtherKeysAreApart()
    {
        var clock = new FakeTimeProvider();
        var counter = new FixedWindowCounter(3, Minute, clock);

        Assert.All(Enumerable.Range(0, 3), _ => Assert.Null(counter.TryCount("a")));
        Assert.Null(counter.Spent("b"));
        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromSeconds(50), counter.TryCount("a"));
        Assert.Equal(TimeSpan.FromSeconds(50), counter.Spent("a"));
        Assert.Null(counter.Spent("b"));
        Assert.Null(counter.TryCount("b"));
    }

    [Fact]
    public void Window_EndsAtItsLength_AndTheNextCountStartsAFreshOne()
    {
        var clock = new FakeTimeProvider();
        var counter = new FixedWindowCounter(2, Minute, clock);
        counter.TryCount("a");
        counter.TryCount("a");

        clock.Advance(Minute - TimeSpan.FromTicks(1));
        Assert.Equal(TimeSpan.FromTicks(1), counter.Spent("a"));
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Null(counter.Spent("a"));

        // The fresh window starts at this count, not at the old window's end.
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(counter.TryCount("a"));
        Assert.Null(counter.TryCount("a"));
        Assert.Equal(Minute, counter.TryCount("a"));
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(TimeSpan.FromSeconds(1), counter.Spent("a"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(counter.Spent("a"));
    }

    [Fact]
    public void SignInLimiter_RetryAfter_IsTheRestOfTheWindow_InWholeSecondsRoundedUp()
    {
        var clock = new FakeTimeProvider();
        var limiter = new FailedSignInLimiter(2, Minute, clock);
        HttpContext From(string address)
        {
            var context = new DefaultHttpContext();
            context.Connection.RemoteIpAddress = IPAddress.Parse(address);
            return context;
        }

        var first = From("192.0.2.1");
        limiter.RecordFailure(first);
        Assert.False(limiter.IsLockedOut(first));
        // The limit's own failure is counted, not refused; from then on the address is locked out.
        var second = From("192.0.2.1");
        limiter.RecordFailure(second);
        Assert.Null(FailedSignInLimiter.RetryAfter(second));
        Assert.True(limiter.IsLockedOut(From("192.0.2.1")));

        clock.Advance(TimeSpan.FromSeconds(10.2));
        var over = From("192.0.2.1");
        limiter.RecordFailure(over);
        Assert.Equal(TimeSpan.FromSeconds(49.8), FailedSignInLimiter.RetryAfter(over));
        Assert.Equal(50, FailedSignInLimiter.WriteRetryAfter(over));
        Assert.Equal("50", over.Response.Headers.RetryAfter.ToString());
        Assert.False(limiter.IsLockedOut(From("192.0.2.2")));

        clock.Advance(TimeSpan.FromSeconds(49.7));
        var late = From("192.0.2.1");
        Assert.True(limiter.IsLockedOut(late));
        Assert.Equal(1, FailedSignInLimiter.WriteRetryAfter(late));
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.False(limiter.IsLockedOut(From("192.0.2.1")));
    }

    [Fact]
    public async Task ConcurrentCounts_FromManyThreads_AreCountedExactly()
    {
        const int limit = 1_000_000;
        var counter = new FixedWindowCounter(limit, Minute, new FakeTimeProvider());
        var accepted = 0;
        using var start = new Barrier(8);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 250_000; i++)
            {
                if (counter.TryCount("198.51.100.1") is null)
                {
                    Interlocked.Increment(ref accepted);
                }
            }
        }, TaskCreationOptions.LongRunning)));

        Assert.Equal(limit, accepted);
        Assert.Equal(Minute, counter.Spent("198.51.100.1"));
    }

    [Fact]
    public async Task CleanUp_RemovesEndedWindows_ButNeverOneACountRenewedMeanwhile()
    {
        const int workers = 4;
        const int keys = 2_000;
        var clock = new FakeTimeProvider();
        var counter = new FixedWindowCounter(workers, Minute, clock);
        for (var round = 0; round < 10; round++)
        {
            // Every key has an ended window; the workers renew each while the clean-up sweeps them.
            for (var k = 0; k < keys; k++)
            {
                counter.TryCount($"{k}");
            }

            clock.Advance(Minute);
            var refused = 0;
            using var stop = new CancellationTokenSource();
            var sweeper = Task.Factory.StartNew(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    counter.RemoveEnded();
                }
            }, TaskCreationOptions.LongRunning);
            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Factory.StartNew(() =>
            {
                for (var k = 0; k < keys; k++)
                {
                    if (counter.TryCount($"{(k + (w * keys / workers)) % keys}") is not null)
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
            }, TaskCreationOptions.LongRunning)));
            await stop.CancelAsync();
            await sweeper;

            // Each key took exactly one count per worker in its fresh window: none was lost to the clean-up.
            Assert.Equal(0, refused);
            var lost = Enumerable.Range(0, keys).Where(k => counter.Spent($"{k}") is null).ToList();
            Assert.True(lost.Count == 0, $"round {round}: {lost.Count} live windows lost, e.g. key {lost.FirstOrDefault()}");
            clock.Advance(Minute);
            Assert.Equal(keys, counter.RemoveEnded());
        }
    }

    [Fact]
    public void CleanUp_LeavesAWindowRenewedBetweenItsReadAndItsRemoval()
    {
        var clock = new InterleavingClock();
        var counter = new FixedWindowCounter(1, Minute, clock);
        counter.TryCount("a");
        clock.Advance(Minute);

        // The clean-up has read a's ended window and checks its age: right then a request renews it.
        clock.OnNextCheck = () => Assert.Null(counter.TryCount("a"));
        counter.RemoveEnded();

        Assert.Null(clock.OnNextCheck);
        Assert.Equal(Minute, counter.Spent("a"));
        Assert.Equal(Minute, counter.TryCount("a"));
    }

    [Fact]
    public void CleanUp_RemovesOnlyEndedWindows_AndRunsByItselfOnceAWindowHasPassed()
    {
        var clock = new FakeTimeProvider();
        var counter = new FixedWindowCounter(1, Minute, clock);
        counter.TryCount("a");
        clock.Advance(TimeSpan.FromSeconds(30));
        counter.TryCount("b");
        clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(1, counter.RemoveEnded());
        Assert.Equal(TimeSpan.FromSeconds(30), counter.Spent("b"));
        Assert.Null(counter.Spent("a"));

        // A count after a window's length sweeps first: b's window (ended by then) is gone, c's is kept.
        clock.Advance(Minute);
        counter.TryCount("c");
        Assert.Equal(0, counter.RemoveEnded());
        Assert.Equal(Minute, counter.Spent("c"));
    }

    /// <summary>
    /// A fake clock that runs an action the next time a window's age is computed (its frequency is read then): the
    /// moment between the clean-up reading a window and removing it, where a concurrent request may renew it.
    /// </summary>
    private sealed class InterleavingClock : TimeProvider
    {
        private readonly FakeTimeProvider _time = new();

        public Action? OnNextCheck;

        public override long TimestampFrequency
        {
            get
            {
                Interlocked.Exchange(ref OnNextCheck, null)?.Invoke();
                return _time.TimestampFrequency;
            }
        }

        public override long GetTimestamp() => _time.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => _time.GetUtcNow();

        public void Advance(TimeSpan by) => _time.Advance(by);
    }
}
