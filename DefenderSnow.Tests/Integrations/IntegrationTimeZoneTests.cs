using DefenderSnow.Core.Integrations;

namespace DefenderSnow.Tests.Integrations;

/// <summary>
/// The integration user's ServiceNow time zone, read at verification, is stored with the integration and reaches the
/// ServiceNow connection, so change reads send their dates in it (issue 9).
/// </summary>
public sealed class IntegrationTimeZoneTests : IUsesHarness
{
    private IntegrationHarness _harness = null!;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartApp() => _harness = await IntegrationHarness.StartAsync();

    [TearDown]
    public void ClearTimeZone()
    {
        _harness.App.ServiceNow.SetTimeZone(IntegrationHarness.ServiceUser, null);
    }

    [Test]
    public async Task The_users_time_zone_is_stored_with_the_integration_and_used_for_its_connection()
    {
        _harness.App.ServiceNow.SetTimeZone(IntegrationHarness.ServiceUser, "Asia/Kolkata");

        var id = await _harness.CreateIntegrationAsync();
        var stored = await _harness.App.Get<IIntegrationStore>().GetAsync(id, CancellationToken.None);

        Assert.That(stored!.Value.ServiceNowTimeZone, Is.EqualTo("Asia/Kolkata"));
        Assert.That(stored.Value.ToConnection().TimeZone, Is.EqualTo("Asia/Kolkata"));
    }

    [Test]
    public async Task New_credentials_bring_the_time_zone_the_user_has_now()
    {
        var id = await _harness.CreateIntegrationAsync();
        _harness.App.ServiceNow.SetTimeZone(IntegrationHarness.ServiceUser, "Europe/Berlin");

        var response = await _harness.UpdateAsync(id, new Dictionary<string, object?> { ["password"] = _harness.Password });
        var stored = await _harness.App.Get<IIntegrationStore>().GetAsync(id, CancellationToken.None);

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        Assert.That(stored!.Value.ServiceNowTimeZone, Is.EqualTo("Europe/Berlin"));
    }
}
