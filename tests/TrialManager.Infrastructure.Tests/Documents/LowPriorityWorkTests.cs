using System.Globalization;
using TrialManager.Infrastructure.Documents;

namespace TrialManager.Infrastructure.Tests.Documents;

public sealed class LowPriorityWorkTests
{
    [Fact]
    public async Task Rendering_runs_off_the_callers_thread_and_returns_its_result()
    {
        using var background = new LowPriorityWork(2);
        var caller = Environment.CurrentManagedThreadId;

        var (thread, name) = await background.RunAsync(() => (Environment.CurrentManagedThreadId, Thread.CurrentThread.Name), CancellationToken.None);

        Assert.NotEqual(caller, thread);
        Assert.StartsWith("Low-priority work", name, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task On_linux_the_rendering_thread_runs_at_the_lowest_priority()
    {
        using var background = new LowPriorityWork(1);

        // Field 19 of /proc/thread-self/stat is the thread's nice value (after the parenthesised command name).
        var nice = await background.RunAsync(() =>
        {
            var stat = File.ReadAllText("/proc/thread-self/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], CultureInfo.InvariantCulture);
        }, CancellationToken.None);

        Assert.True(background.RunsAtBackgroundPriority);
        Assert.Equal(19, nice);
    }

    [Fact]
    public async Task Posted_work_runs_in_order_on_the_background_threads()
    {
        using var background = new LowPriorityWork(1);
        var seen = new List<int>();
        var done = new TaskCompletionSource();

        for (var i = 0; i < 5; i++)
        {
            var n = i;
            background.Post(() => seen.Add(n));
        }

        background.Post(done.SetResult);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([0, 1, 2, 3, 4], seen);
    }

    [Fact]
    public async Task A_failing_render_faults_only_its_own_task()
    {
        using var background = new LowPriorityWork(1);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            background.RunAsync<int>(() => throw new InvalidOperationException("layout failed"), CancellationToken.None));
        Assert.Equal(42, await background.RunAsync(() => 42, CancellationToken.None));
    }

    [Fact]
    public async Task A_render_cancelled_while_it_waits_never_runs()
    {
        using var background = new LowPriorityWork(1);
        using var release = new ManualResetEventSlim();
        var blocker = background.RunAsync(() => release.Wait(TimeSpan.FromSeconds(10)), CancellationToken.None);
        using var cancellation = new CancellationTokenSource();
        var ran = false;

        var waiting = background.RunAsync(() => ran = true, cancellation.Token);
        await cancellation.CancelAsync();
        release.Set();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.True(await blocker);
        Assert.False(ran);
    }
}

/// <summary>Per-thread niceness exists on Linux only (macOS applies it per process, Windows has thread priorities).</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "per-thread niceness is a Linux feature";
        }
    }
}
