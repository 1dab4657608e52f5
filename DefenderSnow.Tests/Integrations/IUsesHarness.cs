namespace DefenderSnow.Tests.Integrations;

/// <summary>
/// A test class that composes an <see cref="IntegrationHarness"/> (directly, or through a <c>SyncTestContext</c> or an
/// <c>AssignmentDriver</c>) implements this and starts the harness in its own [OneTimeSetUp]. The lifecycle is then the
/// harness's, not the class's: NUnit applies <see cref="UsesHarnessAttribute"/> through the interface, so every test
/// begins with <see cref="IntegrationHarness.BeginTest"/>, ends with the secret scan, and the harness is disposed after
/// the class's last test. The class's own [SetUp] runs after BeginTest and its [TearDown] before the scan.
/// </summary>
[UsesHarness]
public interface IUsesHarness
{
    /// <summary>The harness the class started, or null while (or when) its [OneTimeSetUp] has not.</summary>
    IntegrationHarness? Harness { get; }
}
