using Xunit.Abstractions;
using Xunit.Sdk;

namespace TrialManager.Integration.Tests.Harness;

/// <summary>
/// A fact written once in an abstract test class and run by one concrete class per database. On a class that
/// implements <see cref="IRunsOnPostgres"/> it follows the PostgreSQL skipping rule (skipped with the reason
/// when the binaries are absent, failing instead when CI=true).
/// </summary>
[XunitTestCaseDiscoverer("TrialManager.Integration.Tests.Harness.ServerFactDiscoverer", "TrialManager.Integration.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ServerFactAttribute : FactAttribute;

public sealed class ServerFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var runsOnPostgres = typeof(IRunsOnPostgres).IsAssignableFrom(testMethod.TestClass.Class.ToRuntimeType());
        yield return new ServerTestCase(
            diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod,
            runsOnPostgres ? PostgresTestGate.SkipReason : null);
    }
}

public sealed class ServerTestCase : XunitTestCase
{
    private string? _skipReason;

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public ServerTestCase()
    {
    }

    public ServerTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method, string? skipReason)
        : base(sink, display, options, method)
    {
        _skipReason = skipReason;
    }

    protected override string? GetSkipReason(IAttributeInfo factAttribute) => _skipReason ?? base.GetSkipReason(factAttribute);

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("ServerSkip", _skipReason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        base.Deserialize(data);
        _skipReason = data.GetValue<string?>("ServerSkip");
    }
}
