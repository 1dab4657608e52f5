using DefenderSnow.Core.Secrets;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests.Integrations;

public sealed class CreateIntegrationTests : IUsesHarness
{
    private static readonly string[] AssignmentGroupDescriptionImpactUrgency = ["assignment_group", "description", "impact", "urgency"];
    private static readonly string[] Urgency = ["urgency"];

    private IntegrationHarness _harness = null!;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartApp() => _harness = await IntegrationHarness.StartAsync();

    [Test]
    public async Task Create_proves_the_credentials_then_stores_secrets_in_key_vault_and_the_rest_in_tables()
    {
        _harness.App.ServiceNow.ResetRequestCounts();
        var body = _harness.ValidBody();

        var response = await _harness.CreateAsync(body, new Dictionary<string, string> { ["X-MS-CLIENT-PRINCIPAL-NAME"] = "secadmin@contoso.com" });

        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        var id = response.Json["id"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location.ToString(), Is.EqualTo($"/api/integrations/{id}"));
            Assert.That(response.Json["name"]!.GetValue<string>(), Is.EqualTo(body["name"]));
            Assert.That(response.Json["scope"]!["type"]!.GetValue<string>(), Is.EqualTo("subscription"));
            Assert.That(response.Json["status"]!.GetValue<string>(), Is.EqualTo("connected"));
            Assert.That(response.Json["fieldMode"]!.GetValue<string>(), Is.EqualTo("default"));
            Assert.That(response.Json["createdBy"]!.GetValue<string>(), Is.EqualTo("secadmin@contoso.com"));
            Assert.That(response.Json["fields"]!["incident"]!.AsArray().Select(f => f!.GetValue<string>()), Is.EqualTo(AssignmentGroupDescriptionImpactUrgency));
            Assert.That(response.Json.AsObject().Select(p => p.Key), Has.None.Contains("password").And.None.Contains("secret").IgnoreCase);
        });

        // Proven: one password grant and one small read of each table.
        Assert.That(_harness.App.ServiceNow.TokenRequests("password"), Is.EqualTo(1));
        foreach (var table in new[] { "sys_user", "incident", "problem", "change_request" })
        {
            // sys_user once more: the calibration of query dates looks the user's own record up by its creation time.
            Assert.That(_harness.App.ServiceNow.RequestCount($"GET /api/now/table/{table}"), Is.EqualTo(table == "sys_user" ? 2 : 1), table);
        }

        // Stored: the three secrets in Key Vault, none of them in the table row.
        Assert.That(_harness.App.KeyVault.GetValue(KeyVaultSecretName.For(id, IntegrationSecret.Password)), Is.EqualTo(_harness.Password));
        Assert.That(_harness.App.KeyVault.GetValue(KeyVaultSecretName.For(id, IntegrationSecret.ClientSecret)), Is.EqualTo(_harness.ClientSecret));
        Assert.That(_harness.App.KeyVault.GetValue(KeyVaultSecretName.For(id, IntegrationSecret.RefreshToken)), Is.Not.Empty);
        var state = await StateSnapshot.TakeAsync(_harness.App);
        Assert.That(state, Does.Contain(id));
        var read = await _harness.GetAsync(id);
        Assert.That(read.Status, Is.EqualTo(200));
        Assert.That(read.Body, Does.Not.Contain(_harness.Password).And.Not.Contain(_harness.ClientSecret));
    }

    [Test]
    public async Task Rejected_credentials_are_a_422_with_servicenows_reason_and_store_nothing()
    {
        var before = await StateSnapshot.TakeAsync(_harness.App);
        var body = _harness.ValidBody();
        body["password"] = "not-the-password-" + Guid.NewGuid().ToString("N");
        _harness.RememberSecret((string)body["password"]!);

        var response = await _harness.CreateAsync(body);

        Assert.That(response.Status, Is.EqualTo(422), response.ToString());
        Assert.That(response.ContentType, Does.StartWith("application/problem+json"));
        Assert.That(response.Json["detail"]!.GetValue<string>(), Does.Contain("access_denied"));
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
    }

    [Test]
    public async Task An_account_that_cannot_read_a_ticket_table_is_a_422_naming_the_table_and_stores_nothing()
    {
        const string user = "svc-no-problem";
        var password = "Pw-" + Guid.NewGuid().ToString("N");
        _harness.RememberSecret(password);
        _harness.App.ServiceNow.SeedUser(new ServiceNowSimulatorUser(user, Password: password));
        _harness.App.ServiceNow.Deny(user, "problem", ServiceNowTableOperation.Read);
        var before = await StateSnapshot.TakeAsync(_harness.App);
        var body = _harness.ValidBody();
        body["username"] = user;
        body["password"] = password;

        var response = await _harness.CreateAsync(body);

        Assert.That(response.Status, Is.EqualTo(422), response.ToString());
        Assert.That(response.Json["detail"]!.GetValue<string>(), Does.Contain("problem"));
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
    }

    [Test]
    public async Task An_unreachable_instance_is_a_502_and_stores_nothing()
    {
        var before = await StateSnapshot.TakeAsync(_harness.App);
        var body = _harness.ValidBody();
        body["instanceUrl"] = $"https://127.0.0.1:{ClosedPort()}/";

        var response = await _harness.CreateAsync(body);

        Assert.That(response.Status, Is.EqualTo(502), response.ToString());
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
    }

    [Test]
    public async Task A_name_used_in_the_same_scope_is_a_409_but_another_scope_may_use_it()
    {
        var name = "Shared-" + Guid.NewGuid().ToString("N")[..6];
        await _harness.CreateIntegrationAsync(name);
        _harness.App.ServiceNow.ResetRequestCounts();
        var before = await StateSnapshot.TakeAsync(_harness.App);

        var again = await _harness.CreateAsync(_harness.ValidBody(name.ToUpperInvariant()));

        Assert.That(again.Status, Is.EqualTo(409), again.ToString());
        Assert.That(_harness.App.ServiceNow.TotalRequests, Is.Zero, "a duplicate is refused before ServiceNow is asked anything");
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
        var elsewhere = await _harness.CreateAsync(_harness.ValidBody(name, "/subscriptions/" + Guid.NewGuid().ToString("D")));
        Assert.That(elsewhere.Status, Is.EqualTo(201), elsewhere.ToString());
    }

    [Test]
    public async Task Concurrent_creates_with_one_name_leave_one_integration_and_no_stray_secret()
    {
        var name = "Race-" + Guid.NewGuid().ToString("N")[..6];
        var scope = "/subscriptions/" + Guid.NewGuid().ToString("D");
        var secretsBefore = _harness.App.KeyVault.SecretNames().ToHashSet();
        var deletedBefore = _harness.App.KeyVault.DeletedSecretNames().Count;

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _harness.CreateAsync(_harness.ValidBody(name, scope))));

        Assert.That(responses.Count(r => r.Status == 201), Is.EqualTo(1), string.Join("\n", responses.Select(r => r.ToString())));
        Assert.That(responses.Where(r => r.Status != 201).Select(r => r.Status), Is.All.EqualTo(409));
        var winner = responses.Single(r => r.Status == 201).Json["id"]!.GetValue<string>();
        var list = await _harness.ListAsync("?scope=" + Uri.EscapeDataString(scope));
        Assert.That(list.Json["value"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()), Is.EqualTo(new[] { winner }));
        // The name is reserved before any secret is written, so a loser writes nothing, not even a secret it deletes again.
        var newSecrets = _harness.App.KeyVault.SecretNames().Where(n => !secretsBefore.Contains(n)).ToList();
        // Password, client secret, refresh token and the instance binding.
        Assert.That(newSecrets, Has.Count.EqualTo(4).And.All.Contains(winner));
        Assert.That(_harness.App.KeyVault.DeletedSecretNames(), Has.Count.EqualTo(deletedBefore), "no loser wrote a secret");
    }

    [Test]
    public async Task Customized_mode_keeps_the_listed_fields()
    {
        var body = _harness.ValidBody();
        body["fieldMode"] = "customized";
        body["fields"] = new Dictionary<string, object?> { ["incident"] = new[] { "urgency", "short_description" }, ["problem"] = Array.Empty<string>() };

        var response = await _harness.CreateAsync(body);

        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        Assert.That(response.Json["fieldMode"]!.GetValue<string>(), Is.EqualTo("customized"));
        Assert.That(response.Json["fields"]!["incident"]!.AsArray().Select(f => f!.GetValue<string>()), Is.EqualTo(Urgency), "always-written fields are not listed");
        Assert.That(response.Json["fields"]!["change_request"]!.AsArray(), Is.Empty);
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
