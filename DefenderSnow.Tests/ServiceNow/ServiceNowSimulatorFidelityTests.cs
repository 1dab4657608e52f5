using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DefenderSnow.Simulators.ServiceNow;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.ServiceNow;

/// <summary>
/// The simulator refuses what a real instance refuses, beyond reads (issue 9): create and write ACLs, row-level
/// read ACLs, state models, field lengths, unordered ties, <c>NOT LIKE</c>, time zones, HTML outages, OAuth form
/// values, and the token settings over <c>/_sim</c>.
/// </summary>
[TestFixture]
public sealed class ServiceNowSimulatorFidelityTests
{
    private const string ClientId = "client";
    private const string ClientSecret = "secret";
    private FakeTimeProvider _clock = null!;
    private ServiceNowSimulator _simulator = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _clock = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 9, 0, 0, TimeSpan.Zero));
        _simulator = await ServiceNowSimulator.StartAsync(new ServiceNowSimulatorOptions { TimeProvider = _clock });
        _simulator.RegisterOAuthClient(ClientId, ClientSecret);
        _simulator.SeedUser(new ServiceNowSimulatorUser("alice", "alice@contoso.example", "Alice Able", Password: "alice-pw"));
        _simulator.SeedUser(new ServiceNowSimulatorUser("nina", "nina@contoso.example", "Nina New York", Password: "nina-pw", TimeZone: "America/New_York"));
        _http = _simulator.CreateTrustingClient();
    }

    [TearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _simulator.DisposeAsync();
    }

    [Test]
    public async Task A_user_who_may_read_but_not_create_or_write_gets_the_ACL_403_on_POST_and_PATCH()
    {
        var token = await TokenAsync("alice", "alice-pw");
        var existing = await CreateAsync(token, "incident", new JsonObject { ["short_description"] = "before" });
        _simulator.Deny("alice", "incident", ServiceNowTableOperation.Create);
        _simulator.Deny("alice", "incident", ServiceNowTableOperation.Write);

        var create = await SendJson(HttpMethod.Post, "api/now/table/incident", token, new JsonObject { ["short_description"] = "x" });
        var write = await SendJson(HttpMethod.Patch, $"api/now/table/incident/{existing}", token, new JsonObject { ["short_description"] = "y" });
        var read = await Send(HttpMethod.Get, "api/now/table/incident", token);

        Assert.Multiple(async () =>
        {
            Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await DetailAsync(create), Is.EqualTo("ACL Exception Insert Failed due to security constraints"));
            Assert.That(write.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await DetailAsync(write), Is.EqualTo("ACL Exception Update Failed due to security constraints"));
            Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(_simulator.ListRecords("incident"), Has.Count.EqualTo(1));
            Assert.That(_simulator.GetRecord("incident", existing)!["short_description"], Is.EqualTo("before"));
        });
    }

    [Test]
    public async Task Row_level_read_ACLs_cut_pages_short_or_empty_while_the_Link_header_still_names_a_next_page()
    {
        var token = await TokenAsync("alice", "alice-pw");
        for (var i = 0; i < 6; i++)
        {
            await CreateAsync(token, "incident", new JsonObject { ["short_description"] = i < 4 ? $"secret {i}" : $"visible {i}" });
        }

        _simulator.HideRows("alice", "incident", "short_descriptionSTARTSWITHsecret");
        var query = "sysparm_query=ORDERBYshort_description&sysparm_limit=3";
        var first = await Send(HttpMethod.Get, $"api/now/table/incident?{query}", token);
        var second = await Send(HttpMethod.Get, $"api/now/table/incident?{query}&sysparm_offset=3", token);

        Assert.Multiple(async () =>
        {
            Assert.That(await ResultCountAsync(first), Is.EqualTo(0), "the first page holds only hidden rows");
            Assert.That(first.Headers.GetValues("Link").Single(), Does.Contain("rel=\"next\""));
            Assert.That(first.Headers.GetValues("X-Total-Count").Single(), Is.EqualTo("6"));
            Assert.That(await ResultCountAsync(second), Is.EqualTo(2), "one hidden row is cut from the second page");
            Assert.That(second.Headers.GetValues("Link").Single(), Does.Not.Contain("rel=\"next\""));
        });
    }

    [TestCase("incident", "7", "2")]
    [TestCase("problem", "101", "106")]
    [TestCase("change_request", "-5", "3")]
    [TestCase("change_request", "-5", "-3")]
    public async Task A_state_change_the_state_model_does_not_allow_is_refused(string table, string from, string to)
    {
        var token = await TokenAsync("alice", "alice-pw");
        var sysId = await CreateAsync(token, table, new JsonObject { ["short_description"] = "x" });
        _simulator.MoveTo(table, sysId, from, table == "incident" ? Closing("close_code", "close_notes") : null);

        var response = await SendJson(HttpMethod.Patch, $"api/now/table/{table}/{sysId}", token, new JsonObject
        {
            ["state"] = to,
            ["close_code"] = "Solved (Permanently)",
            ["close_notes"] = "n",
            ["resolution_code"] = "fix_applied",
        });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await DetailAsync(response), Does.Contain("State Model"));
        Assert.That(_simulator.GetRecord(table, sysId)!["state"], Is.EqualTo(from));
    }

    [Test]
    public async Task An_unknown_state_value_is_refused_on_create_and_on_update()
    {
        var token = await TokenAsync("alice", "alice-pw");
        var created = await SendJson(HttpMethod.Post, "api/now/table/incident", token, new JsonObject { ["state"] = "42" });
        var sysId = await CreateAsync(token, "incident", new JsonObject { ["short_description"] = "x" });
        var updated = await SendJson(HttpMethod.Patch, $"api/now/table/incident/{sysId}", token, new JsonObject { ["state"] = "42" });

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(updated.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(_simulator.ListRecords("incident"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Resolving_a_problem_needs_its_resolution_code()
    {
        var token = await TokenAsync("alice", "alice-pw");
        var sysId = await CreateAsync(token, "problem", new JsonObject { ["short_description"] = "x" });
        _simulator.MoveTo("problem", sysId, "104");

        var refused = await SendJson(HttpMethod.Patch, $"api/now/table/problem/{sysId}", token, new JsonObject { ["state"] = "106", ["fix_notes"] = "patched" });
        var accepted = await SendJson(HttpMethod.Patch, $"api/now/table/problem/{sysId}", token, new JsonObject { ["state"] = "106", ["resolution_code"] = "fix_applied" });

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await DetailAsync(refused), Is.EqualTo("Data Policy Exception: The following fields are mandatory: Resolution code"));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_closed_ticket_takes_work_notes_and_nothing_else()
    {
        var token = await TokenAsync("alice", "alice-pw");
        var sysId = await CreateAsync(token, "incident", new JsonObject { ["short_description"] = "x" });
        _simulator.Close("incident", sysId);

        var note = await SendJson(HttpMethod.Patch, $"api/now/table/incident/{sysId}", token, new JsonObject { ["work_notes"] = "still watching" });
        var edit = await SendJson(HttpMethod.Patch, $"api/now/table/incident/{sysId}", token, new JsonObject { ["short_description"] = "changed" });
        var comment = await SendJson(HttpMethod.Patch, $"api/now/table/incident/{sysId}", token, new JsonObject { ["comments"] = "to the caller" });

        Assert.That(note.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(edit.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(comment.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(_simulator.GetRecord("incident", sysId)!["short_description"], Is.EqualTo("x"));
    }

    [Test]
    public async Task A_customised_state_model_replaces_the_default_one()
    {
        var token = await TokenAsync("alice", "alice-pw");
        using var model = await _http.PutAsJsonAsync("_sim/servicenow/state-models/change_request", new { transitions = new Dictionary<string, string[]> { ["-5"] = ["4"], ["4"] = [] } });
        using var unknown = await _http.PutAsJsonAsync("_sim/servicenow/state-models/change_request", new { transitions = new Dictionary<string, string[]> { ["-5"] = ["42"] } });
        Assert.That(model.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var sysId = await CreateAsync(token, "change_request", new JsonObject { ["short_description"] = "x" });

        var step = await SendJson(HttpMethod.Patch, $"api/now/table/change_request/{sysId}", token, new JsonObject { ["state"] = "-4" });
        var cancel = await SendJson(HttpMethod.Patch, $"api/now/table/change_request/{sysId}", token, new JsonObject { ["state"] = "4" });

        Assert.That(step.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Values_longer_than_their_field_are_cut_silently()
    {
        var token = await TokenAsync("alice", "alice-pw");
        var response = await SendJson(HttpMethod.Post, "api/now/table/incident", token, new JsonObject
        {
            ["short_description"] = new string('s', 200),
            ["correlation_id"] = new string('c', 150),
            ["description"] = new string('d', 5000),
        });
        var result = (await response.Content.ReadFromJsonAsync<JsonObject>())!["result"]!;

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(result["short_description"]!.GetValue<string>(), Has.Length.EqualTo(160));
        Assert.That(result["correlation_id"]!.GetValue<string>(), Has.Length.EqualTo(100));
        Assert.That(result["description"]!.GetValue<string>(), Has.Length.EqualTo(4000));
    }

    [Test]
    public async Task Records_that_tie_on_every_ORDERBY_field_come_back_in_no_fixed_order()
    {
        var token = await TokenAsync("alice", "alice-pw");
        for (var i = 0; i < 20; i++)
        {
            await CreateAsync(token, "incident", new JsonObject { ["short_description"] = "same second" });
        }

        var tied = new HashSet<string>();
        var tieBroken = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            tied.Add(await SysIdsAsync(token, "sysparm_query=ORDERBYsys_updated_on"));
            tieBroken.Add(await SysIdsAsync(token, "sysparm_query=ORDERBYsys_updated_on^ORDERBYsys_id"));
        }

        // 20 records in one second: five equal orders in a row would happen by chance once in (20!)^4.
        Assert.That(tied, Has.Count.GreaterThan(1));
        Assert.That(tieBroken, Has.Count.EqualTo(1));
        Assert.That(tieBroken.Single().Split(','), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public async Task NOT_LIKE_is_spelt_with_a_space_and_an_unknown_operator_is_ignored()
    {
        var token = await TokenAsync("alice", "alice-pw");
        await CreateAsync(token, "incident", new JsonObject { ["short_description"] = "disk full" });
        await CreateAsync(token, "incident", new JsonObject { ["short_description"] = "cpu high" });

        var notLike = await ResultCountAsync(await Send(HttpMethod.Get, "api/now/table/incident?sysparm_query=short_descriptionNOT%20LIKEdisk", token));
        var misspelt = await ResultCountAsync(await Send(HttpMethod.Get, "api/now/table/incident?sysparm_query=short_descriptionNOTLIKEdisk", token));

        Assert.That(notLike, Is.EqualTo(1));
        Assert.That(misspelt, Is.EqualTo(2));
    }

    [Test]
    public async Task Query_dates_are_read_in_the_users_time_zone_while_answers_stay_in_UTC()
    {
        var aliceToken = await TokenAsync("alice", "alice-pw");
        await CreateAsync(aliceToken, "incident", new JsonObject { ["short_description"] = "x" });
        var ninaToken = await TokenAsync("nina", "nina-pw");

        // Created at 09:00:00 UTC, which is 05:00:00 in New York (UTC-4 in May).
        var ninaAtLocal = await Send(HttpMethod.Get, "api/now/table/incident?sysparm_query=sys_updated_on>=2025-05-01 05:00:00", ninaToken);
        var ninaAfterLocal = await ResultCountAsync(await Send(HttpMethod.Get, "api/now/table/incident?sysparm_query=sys_updated_on>=2025-05-01 05:00:01", ninaToken));
        var aliceAfterLocal = await ResultCountAsync(await Send(HttpMethod.Get, "api/now/table/incident?sysparm_query=sys_updated_on>=2025-05-01 05:00:01", aliceToken));
        var body = await ninaAtLocal.Content.ReadFromJsonAsync<JsonObject>();

        Assert.That(body!["result"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(body["result"]![0]!["sys_updated_on"]!.GetValue<string>(), Is.EqualTo("2025-05-01 09:00:00"));
        Assert.That(ninaAfterLocal, Is.EqualTo(0));
        Assert.That(aliceAfterLocal, Is.EqualTo(1));
    }

    [TestCase(ServiceNowOutage.Maintenance, HttpStatusCode.ServiceUnavailable)]
    [TestCase(ServiceNowOutage.Hibernating, HttpStatusCode.OK)]
    public async Task An_unavailable_instance_answers_HTML_to_every_request(ServiceNowOutage outage, HttpStatusCode status)
    {
        var token = await TokenAsync("alice", "alice-pw");
        _simulator.Outage = outage;

        var table = await Send(HttpMethod.Get, "api/now/table/incident", token);
        var oauth = await _http.PostAsync("oauth_token.do", Form(("grant_type", "password"), ("client_id", ClientId), ("client_secret", ClientSecret), ("username", "alice"), ("password", "alice-pw")));

        foreach (var response in new[] { table, oauth })
        {
            Assert.That(response.StatusCode, Is.EqualTo(status));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.StartWith("<!DOCTYPE html>"));
        }
    }

    [TestCase("username", 0)]
    [TestCase("password", 1)]
    [TestCase("password", 0x1f)]
    [TestCase("client_secret", 0)]
    public async Task A_control_character_in_a_token_form_value_is_a_plain_access_denied(string field, int control)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
            ["username"] = "alice",
            ["password"] = "alice-pw",
        };
        form[field] += (char)control;

        var response = await _http.PostAsync("oauth_token.do", new FormUrlEncodedContent(form));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await response.Content.ReadFromJsonAsync<JsonObject>())!.ToJsonString(), Is.EqualTo("{\"error_description\":\"access_denied\",\"error\":\"server_error\"}"));
    }

    [Test]
    public async Task Token_lifespans_and_rotation_can_be_set_over_the_control_endpoints()
    {
        var put = await _http.PutAsJsonAsync("_sim/servicenow/tokens/settings", new { accessTokenLifespanSeconds = 600, refreshTokenRotation = "Omit" });
        var bad = await _http.PutAsJsonAsync("_sim/servicenow/tokens/settings", new { accessTokenLifespanSeconds = 1 });
        var grant = await (await _http.PostAsync("oauth_token.do", Form(("grant_type", "password"), ("client_id", ClientId), ("client_secret", ClientSecret), ("username", "alice"), ("password", "alice-pw"))))
            .Content.ReadFromJsonAsync<JsonObject>();
        var refreshed = await (await _http.PostAsync("oauth_token.do", Form(("grant_type", "refresh_token"), ("client_id", ClientId), ("client_secret", ClientSecret), ("refresh_token", grant!["refresh_token"]!.GetValue<string>()))))
            .Content.ReadFromJsonAsync<JsonObject>();

        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(grant["expires_in"]!.GetValue<long>(), Is.EqualTo(599));
        Assert.That(refreshed!.ContainsKey("refresh_token"), Is.False);
        Assert.That(_simulator.TokenSettings, Is.EqualTo(new ServiceNowTokenSettings(TimeSpan.FromSeconds(600), TimeSpan.FromDays(100), RefreshTokenRotation.Omit)));
    }

    private static Dictionary<string, string> Closing(string code, string notes) => new() { [code] = "Solved (Permanently)", [notes] = "done" };

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] values) => ServiceNowSimulatorHttp.Form(values);

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["detail"]!.GetValue<string>();

    private static async Task<int> ResultCountAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["result"]!.AsArray().Count;
    }

    private async Task<string> TokenAsync(string user, string password)
    {
        var response = await _http.PostAsync("oauth_token.do", Form(("grant_type", "password"), ("client_id", ClientId), ("client_secret", ClientSecret), ("username", user), ("password", password)));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
    }

    private async Task<string> SysIdsAsync(string token, string query)
    {
        var response = await Send(HttpMethod.Get, $"api/now/table/incident?{query}&sysparm_fields=sys_id", token);
        var result = (await response.Content.ReadFromJsonAsync<JsonObject>())!["result"]!.AsArray();
        return string.Join(',', result.Select(r => r!["sys_id"]!.GetValue<string>()));
    }

    private async Task<string> CreateAsync(string token, string table, JsonObject body)
    {
        var response = await SendJson(HttpMethod.Post, $"api/now/table/{table}", token, body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["result"]!["sys_id"]!.GetValue<string>();
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string token) => ServiceNowSimulatorHttp.Send(_http, method, path, token);

    private Task<HttpResponseMessage> SendJson(HttpMethod method, string path, string token, JsonObject body) => ServiceNowSimulatorHttp.SendJson(_http, method, path, token, body);
}
