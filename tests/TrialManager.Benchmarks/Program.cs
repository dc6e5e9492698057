using System.Reflection;
using BenchmarkDotNet.Running;

// Pick suites with --filter, e.g. `-- --filter '*PermutedBlock*'`; see docs/benchmarks.md.
// Not typeof(Program): the server's public Program (for WebApplicationFactory) has the same name (CS0436).
BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args);
