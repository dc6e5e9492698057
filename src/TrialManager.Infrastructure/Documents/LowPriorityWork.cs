using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace TrialManager.Infrastructure.Documents;

/// <summary>
/// Dedicated threads at the operating system's background priority, for the work a request owes but need not wait
/// for: rendering documents (the CPU-heavy part of a document job) and handing their jobs to Hangfire. A coordinator
/// waiting for an allocation must never queue behind PDFs: the documents are owed rows (the outbox) that catch up on
/// whatever CPU the requests leave idle, and at full speed when nothing else runs.
/// </summary>
public sealed class LowPriorityWork : IDisposable
{
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = false });

    public LowPriorityWork(int threadCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        for (var i = 1; i <= threadCount; i++)
        {
            new Thread(Run) { IsBackground = true, Name = $"Low-priority work {i}" }.Start();
        }
    }

    /// <summary>Whether the threads really run below normal priority here (false where the OS refused).</summary>
    public bool RunsAtBackgroundPriority { get; private set; } = true;

    public Task<T> RunAsync<T>(Func<T> render, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
        var queued = _work.Writer.TryWrite(() =>
        {
            using (registration)
            {
                if (completion.Task.IsCompleted)
                {
                    return; // cancelled while it waited
                }

                try
                {
                    completion.TrySetResult(render());
                }
                catch (Exception e)
                {
                    completion.TrySetException(e);
                }
            }
        });
        if (!queued)
        {
            registration.Dispose();
            throw new ObjectDisposedException(nameof(LowPriorityWork));
        }

        return completion.Task;
    }

    /// <summary>Fire and forget; <paramref name="work"/> must handle its own failures (the outbox is the safety net).</summary>
    public void Post(Action work)
    {
        if (!_work.Writer.TryWrite(work))
        {
            throw new ObjectDisposedException(nameof(LowPriorityWork));
        }
    }

    public void Dispose() => _work.Writer.TryComplete();

    private void Run()
    {
        LowerThisThreadsPriority();
        while (_work.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (_work.Reader.TryRead(out var work))
            {
                work();
            }
        }
    }

    private void LowerThisThreadsPriority()
    {
        if (OperatingSystem.IsLinux())
        {
            // .NET ignores Thread.Priority on Linux, but the scheduler's niceness is per thread there, and raising
            // one's own niceness needs no privilege. 19 is the lowest claim on the CPU.
            if (setpriority(PrioProcess, gettid(), 19) != 0)
            {
                RunsAtBackgroundPriority = false;
            }
        }
        else if (OperatingSystem.IsWindows())
        {
            Thread.CurrentThread.Priority = ThreadPriority.Lowest;
        }
        else
        {
            RunsAtBackgroundPriority = false; // macOS applies niceness per process, not per thread
        }
    }

    private const int PrioProcess = 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc")]
    private static extern int gettid();
}
