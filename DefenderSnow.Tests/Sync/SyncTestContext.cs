using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Rules;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// The three fixtures a sync, rule or ticket-event test class composes, started together: the
/// <see cref="IntegrationHarness"/> (app, simulators, secret scan) with the sync settings, its <see cref="SyncDriver"/>
/// and its <see cref="RuleDriver"/>. A class holds one as a field, calls <see cref="StartAsync"/> in [OneTimeSetUp] and
/// implements <see cref="IUsesHarness"/> with <c>_context?.Harness</c>, which gives each test the harness's lifecycle.
/// </summary>
public sealed class SyncTestContext
{
    private SyncTestContext(IntegrationHarness harness)
    {
        Harness = harness;
        Sync = new SyncDriver(harness);
        Rules = new RuleDriver(harness, Sync);
    }

    public IntegrationHarness Harness { get; }

    public SyncDriver Sync { get; }

    public RuleDriver Rules { get; }

    public TestApp App => Harness.App;

    /// <param name="adjustSettings">Runs after <see cref="SyncDriver.AdjustSettings"/>, so it may undo a sync setting.</param>
    /// <param name="configureServices">Runs after the app's own registrations, so it may replace one.</param>
    public static async Task<SyncTestContext> StartAsync(
        Action<Dictionary<string, string?>>? adjustSettings = null, Action<IServiceCollection>? configureServices = null,
        ServiceNowSimulatorOptions? serviceNowOptions = null) =>
        new(await IntegrationHarness.StartAsync(
            settings =>
            {
                SyncDriver.AdjustSettings(settings);
                adjustSettings?.Invoke(settings);
            },
            configureServices,
            serviceNowOptions));
}
