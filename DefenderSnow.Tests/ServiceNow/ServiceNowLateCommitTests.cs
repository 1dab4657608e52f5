using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DefenderSnow.Simulators.ServiceNow;

namespace DefenderSnow.Tests.ServiceNow;

/// <summary>
/// The simulator can commit a create after its caller gave up, as a real instance does: the case that really
/// produces duplicate tickets.
/// </summary>
[TestFixture]
public sealed class ServiceNowLateCommitTests
{
    private ServiceNowSimulator _simulator = null!;
    private string _token = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _simulator = await ServiceNowSimulator.StartAsync();
        _simulator.RegisterOAuthClient("client", "secret");
        _simulator.SeedUser(new ServiceNowSimulatorUser("svc", "svc@contoso.example", Password: "pw"));
        using var http = _simulator.CreateTrustingClient();
        var token = await http.PostAsync("oauth_token.do", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "client",
            ["client_secret"] = "secret",
            ["username"] = "svc",
            ["password"] = "pw",
        }));
        _token = (await token.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
    }

    [TearDown]
    public async Task StopAsync() => await _simulator.DisposeAsync();

    [Test]
    public async Task A_create_whose_caller_gave_up_is_committed_after_the_next_read_of_its_table()
    {
        _simulator.Faults.CommitLateNext(1, "POST /api/now/table/incident");
        using var impatient = new HttpClient(_simulator.CreateHandler()) { BaseAddress = _simulator.BaseUri, Timeout = TimeSpan.FromMilliseconds(300) };
        impatient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        using var patient = _simulator.CreateTrustingClient();
        patient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);

        var create = () => impatient.PostAsJsonAsync("api/now/table/incident", new { short_description = "late", correlation_id = "abc" });
        Assert.That(create, Throws.InstanceOf<TaskCanceledException>(), "the caller times out without an answer");
        Assert.That(_simulator.ListTickets("incident"), Is.Empty, "nothing committed while the transaction runs");

        var otherTable = await patient.GetAsync("api/now/table/problem?sysparm_query=correlation_id=abc");
        Assert.That(_simulator.ListTickets("incident"), Is.Empty, "a read of another table does not commit it");

        var lookup = await patient.GetFromJsonAsync<JsonObject>("api/now/table/incident?sysparm_query=correlation_id=abc");

        Assert.That(otherTable.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(lookup!["result"]!.AsArray(), Is.Empty, "the caller's look-up comes back empty");
        var committed = _simulator.ListTickets("incident");
        Assert.That(committed, Has.Count.EqualTo(1), "and then the ticket appears");
        Assert.That(committed[0]["correlation_id"], Is.EqualTo("abc"));
        Assert.That(committed[0]["sys_created_by"], Is.EqualTo("svc"));
    }

    [Test]
    public async Task A_late_create_with_a_bad_token_is_refused_at_once()
    {
        _simulator.Faults.CommitLateNext(1, "POST /api/now/table/incident");
        using var http = _simulator.CreateTrustingClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");

        var response = await http.PostAsJsonAsync("api/now/table/incident", new { short_description = "late" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        await http.GetAsync("api/now/table/incident");
        Assert.That(_simulator.ListTickets("incident"), Is.Empty);
    }
}
