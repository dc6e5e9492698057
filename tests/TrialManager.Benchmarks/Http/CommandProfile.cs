using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace TrialManager.Benchmarks.Http;

/// <summary>
/// The SQL commands a measured scenario sends, each with how often, how many rows it read and how long it took from
/// being sent until its reader was closed (so reading the rows counts): where a request's time goes in the database.
/// Switched on by <c>profile</c> on the command line; off, it records nothing.
/// </summary>
public sealed class CommandProfile : DbCommandInterceptor
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<(double Ms, int Rows)>> _commands = new();
    private readonly ConcurrentDictionary<string, (string Sql, (string Name, object? Value)[] Parameters)> _examples = new();

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbCommand, System.Runtime.CompilerServices.StrongBox<long>> _started = new();

    public bool Recording { get; set; }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        _started.AddOrUpdate(command, new(System.Diagnostics.Stopwatch.GetTimestamp()));
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        _started.AddOrUpdate(command, new(System.Diagnostics.Stopwatch.GetTimestamp()));
        return ValueTask.FromResult(result);
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Keep(command);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Keep(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        Record(command, eventData.ReadCount);
        return result;
    }

    public override ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        Record(command, eventData.ReadCount);
        return ValueTask.FromResult(result);
    }

    private void Keep(DbCommand command)
    {
        if (Recording)
        {
            _examples.TryAdd(command.CommandText, (command.CommandText, [.. command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value))]));
        }
    }

    private void Record(DbCommand command, int rows)
    {
        if (Recording && _started.TryGetValue(command, out var started))
        {
            _commands.GetOrAdd(command.CommandText, _ => []).Add((System.Diagnostics.Stopwatch.GetElapsedTime(started.Value).TotalMilliseconds, rows));
        }
    }

    /// <summary>Prints each command's count, rows and median time, then clears what was recorded.</summary>
    public IReadOnlyList<(string Sql, (string Name, object? Value)[] Parameters)> PrintAndClear(string scenario)
    {
        Console.WriteLine($"-- commands of: {scenario}");
        foreach (var (sql, runs) in _commands.OrderByDescending(c => c.Value.Sum(r => r.Ms)))
        {
            var ms = runs.Select(r => r.Ms).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{runs.Count} runs, {runs.Average(r => r.Rows):F0} rows, median {ms[ms.Count / 2]:F2} ms, p99 {HttpListLoad.Percentile(ms, 0.99):F2} ms, total {ms.Sum():F0} ms:\n  {sql.ReplaceLineEndings(" ")}"));
        }

        var examples = _examples.Values.ToList();
        _commands.Clear();
        _examples.Clear();
        return examples;
    }
}
