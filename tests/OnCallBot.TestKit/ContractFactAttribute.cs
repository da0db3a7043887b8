using Xunit.Abstractions;
using Xunit.Sdk;

namespace OnCallBot.TestKit;

/// <summary>
/// A fact of a contract test base class (what every implementation of a port must do), run once per derived class.
/// A derived class whose implementation is not available here (PostgreSQL without ONCALLBOT_TEST_POSTGRES) carries a
/// <see cref="ContractSkipAttribute"/>, and its facts are reported as skipped with that reason: a plain
/// <see cref="FactAttribute.Skip"/> would skip the fact for every implementation at once.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("OnCallBot.TestKit.ContractFactDiscoverer", "OnCallBot.TestKit")]
public sealed class ContractFactAttribute : FactAttribute;

/// <summary>Put on a class deriving contract tests: when <see cref="Reason"/> is not null, its contract facts are skipped with it.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public abstract class ContractSkipAttribute : Attribute
{
    /// <summary>Why the implementation cannot be tested here and how to fix that; null when it can be.</summary>
    public abstract string? Reason { get; }
}

/// <summary>Finds <see cref="ContractFactAttribute"/> facts, skipping them for a test class whose <see cref="ContractSkipAttribute"/> says so.</summary>
public sealed class ContractFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(discoveryOptions);
        ArgumentNullException.ThrowIfNull(testMethod);
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        var reason = testMethod.TestClass.Class.ToRuntimeType()?
            .GetCustomAttributes(typeof(ContractSkipAttribute), inherit: false)
            .Cast<ContractSkipAttribute>()
            .Select(skip => skip.Reason)
            .FirstOrDefault(r => r is not null);
        // A fact's own Skip still applies (XunitTestCase reads it); the class's reason comes on top.
        return reason is null
            ? [new XunitTestCase(diagnosticMessageSink, display, displayOptions, testMethod)]
            : [new XunitSkippedDataRowTestCase(diagnosticMessageSink, display, displayOptions, testMethod, reason)];
    }
}
