using DefenderSnow.Core.Integrations;

namespace DefenderSnow.Tests.Integrations;

/// <summary>
/// The integration user's ServiceNow time zone, read at verification, is stored with the integration and reaches the
/// ServiceNow connection, so change reads send their dates in it (issue 9).
/// </summary>
public sealed class IntegrationTimeZoneTests : IntegrationFunctionTestBase
{
    [TearDown]
    public void ClearTimeZone() => App.ServiceNow.SetTimeZone(ServiceUser, null);

    [Test]
    public async Task The_users_time_zone_is_stored_with_the_integration_and_used_for_its_connection()
    {
        App.ServiceNow.SetTimeZone(ServiceUser, "Asia/Kolkata");

        var id = await CreateIntegrationAsync();
        var stored = await App.Get<IIntegrationStore>().GetAsync(id, CancellationToken.None);

        Assert.That(stored!.Value.ServiceNowTimeZone, Is.EqualTo("Asia/Kolkata"));
        Assert.That(stored.Value.ToConnection().TimeZone, Is.EqualTo("Asia/Kolkata"));
    }

    [Test]
    public async Task New_credentials_bring_the_time_zone_the_user_has_now()
    {
        var id = await CreateIntegrationAsync();
        App.ServiceNow.SetTimeZone(ServiceUser, "Europe/Berlin");

        var response = await UpdateAsync(id, new Dictionary<string, object?> { ["password"] = Password });
        var stored = await App.Get<IIntegrationStore>().GetAsync(id, CancellationToken.None);

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        Assert.That(stored!.Value.ServiceNowTimeZone, Is.EqualTo("Europe/Berlin"));
    }
}
