using NUnit.Framework.Interfaces;

namespace DefenderSnow.Tests.Integrations;

/// <summary>
/// The lifecycle of <see cref="IUsesHarness"/>: an NUnit action rather than a base class, because tests compose fixtures
/// (house rule). NUnit actions are synchronous; the harness's calls touch no synchronization context, so waiting is safe.
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Class)]
public sealed class UsesHarnessAttribute : Attribute, ITestAction
{
    public ActionTargets Targets => ActionTargets.Suite | ActionTargets.Test;

    public void BeforeTest(ITest test)
    {
        if (!test.IsSuite)
        {
            HarnessOf(test)?.BeginTest();
        }
    }

    /// <summary>
    /// After a test: the secret scan, whose failed assertion NUnit records as that test's failure. After the class: the
    /// harness (and what it owns) is disposed.
    /// </summary>
    public void AfterTest(ITest test)
    {
        var harness = HarnessOf(test);
        if (harness is null)
        {
            return;
        }

        // The class itself, not the suite NUnit makes of a [TestCase] method (which has a method).
        if (test.IsSuite && test.Method is null)
        {
            harness.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        else if (!test.IsSuite)
        {
            harness.AssertNoSecretInLogsResponsesOrTablesAsync().GetAwaiter().GetResult();
        }
    }

    private static IntegrationHarness? HarnessOf(ITest test) => test.Fixture switch
    {
        IUsesHarness user => user.Harness,
        null => null,
        var other => throw new InvalidOperationException($"{other.GetType().Name} carries [UsesHarness] but does not implement {nameof(IUsesHarness)}."),
    };
}
