using BenchmarkDotNet.Running;

// Pick suites with --filter, e.g. `-- --filter '*PermutedBlock*'`; see docs/benchmarks.md.
BenchmarkSwitcher.FromAssembly(System.Reflection.Assembly.GetExecutingAssembly()).Run(args);
