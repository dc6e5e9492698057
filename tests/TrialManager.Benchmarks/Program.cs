using System.Reflection;
using BenchmarkDotNet.Running;

namespace TrialManager.Benchmarks;

/// <summary>
/// Entry point. A named class, not top-level statements: those would declare a global Program that hides the
/// server's own Program, which WebApplicationFactory&lt;Program&gt; needs (CS0436).
/// </summary>
internal static class BenchmarkMain
{
    // Pick suites with --filter, e.g. `-- --filter '*PermutedBlock*'`; see docs/benchmarks.md.
    // `-- http-randomization sqlite|postgres` is a measured load run over HTTP instead (Http/HttpRandomizationLoad.cs);
    // `-- http-lists sqlite|postgres` measures the paged lists over 100,000 participants (Http/HttpListLoad.cs);
    // `-- http-measures sqlite|postgres` records session measures and reads the participant record (Http/HttpMeasureLoad.cs);
    // `-- http-due sqlite|postgres` reads the due list of a site of 2,000 followed participants (Http/HttpDueListLoad.cs);
    // `-- http-export sqlite|postgres` exports the large demo as zip, ODM and a freeze (Http/HttpExportLoad.cs);
    // `-- export-profile <SQLite directory>` times the zip's files stage by stage (Http/ExportProfile.cs).
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "http-randomization")
        {
            return await Http.HttpRandomizationLoad.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "http-lists")
        {
            return await Http.HttpListLoad.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "http-measures")
        {
            return await Http.HttpMeasureLoad.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "http-due")
        {
            return await Http.HttpDueListLoad.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "http-export")
        {
            return await Http.HttpExportLoad.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "export-profile")
        {
            return await Http.ExportProfile.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args);
        return 0;
    }
}
