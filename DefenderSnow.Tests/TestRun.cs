using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests;

/// <summary>Once per test run: stops the services the tests started.</summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeTearDown]
    public void StopServices() => Azurite.Stop();
}
