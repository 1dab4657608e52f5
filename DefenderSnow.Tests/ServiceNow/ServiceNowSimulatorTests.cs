using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DefenderSnow.Simulators.ServiceNow;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.ServiceNow;

/// <summary>The simulator refuses what ServiceNow refuses, and answers in ServiceNow's shapes.</summary>
[TestFixture]
public sealed class ServiceNowSimulatorTests
{
    private static readonly string[] NumberAssignedToAssignedToEmail = ["number", "assigned_to", "assigned_to.email"];
    private static readonly string[] SecondPageNumbers = ["PRB0040003", "PRB0040004"];

    private const string ClientId = "client";
    private const string ClientSecret = "secret";
    private FakeTimeProvider _clock = null!;
    private ServiceNowSimulator _simulator = null!;
    private HttpClient _http = null!;
    private string _aliceSysId = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _clock = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 9, 0, 0, TimeSpan.Zero));
        _simulator = await ServiceNowSimulator.StartAsync(new ServiceNowSimulatorOptions { TimeProvider = _clock, RefreshTokenRotation = RefreshTokenRotation.Rotate });
        _simulator.RegisterOAuthClient(ClientId, ClientSecret);
        _aliceSysId = _simulator.SeedUser(new ServiceNowSimulatorUser("alice", "alice@contoso.example", "Alice Able", Password: "alice-pw"));
        _simulator.SeedUser(new ServiceNowSimulatorUser("bob", "bob@contoso.example", "Bob Baker"));
        _simulator.SeedUser(new ServiceNowSimulatorUser("carol", "carol@fabrikam.example", "Carol Cole", Active: false));
        _http = _simulator.CreateTrustingClient();
    }

    [TearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _simulator.DisposeAsync();
    }

    [Test]
    public async Task A_token_request_with_a_JSON_body_is_refused()
    {
        var response = await _http.PostAsJsonAsync("oauth_token.do", new { grant_type = "password", client_id = ClientId, client_secret = ClientSecret, username = "alice", password = "alice-pw" });

        await AssertAccessDeniedAsync(response);
    }

    [Test]
    public async Task Token_parameters_in_the_query_string_are_ignored()
    {
        var response = await _http.PostAsync(
            $"oauth_token.do?grant_type=password&client_id={ClientId}&client_secret={ClientSecret}&username=alice&password=alice-pw",
            new FormUrlEncodedContent(new Dictionary<string, string>()));

        await AssertAccessDeniedAsync(response);
    }

    [TestCase("alice", "wrong", ClientSecret)]
    [TestCase("alice", "alice-pw", "wrong")]
    [TestCase("nobody", "alice-pw", ClientSecret)]
    public async Task Wrong_credentials_get_the_one_documented_401(string user, string password, string secret)
    {
        var response = await _http.PostAsync("oauth_token.do", Form(("grant_type", "password"), ("client_id", ClientId), ("client_secret", secret), ("username", user), ("password", password)));

        await AssertAccessDeniedAsync(response);
    }

    [Test]
    public async Task The_password_grant_answers_in_ServiceNows_shape()
    {
        var token = await PasswordGrantAsync();

        Assert.Multiple(() =>
        {
            Assert.That(token["access_token"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(token["refresh_token"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(token["token_type"]!.GetValue<string>(), Is.EqualTo("Bearer"));
            Assert.That(token["scope"]!.GetValue<string>(), Is.EqualTo("useraccount"));
            Assert.That(token["expires_in"]!.GetValue<long>(), Is.EqualTo(1799));
        });
    }

    [Test]
    public async Task A_rotated_refresh_token_replaces_the_old_one()
    {
        var first = (await PasswordGrantAsync())["refresh_token"]!.GetValue<string>();

        var refreshed = await _http.PostAsync("oauth_token.do", Form(("grant_type", "refresh_token"), ("client_id", ClientId), ("client_secret", ClientSecret), ("refresh_token", first)));
        var second = (await refreshed.Content.ReadFromJsonAsync<JsonObject>())!["refresh_token"]!.GetValue<string>();
        var reused = await _http.PostAsync("oauth_token.do", Form(("grant_type", "refresh_token"), ("client_id", ClientId), ("client_secret", ClientSecret), ("refresh_token", first)));

        Assert.That(second, Is.Not.EqualTo(first));
        await AssertAccessDeniedAsync(reused);
    }

    [Test]
    public async Task A_missing_bad_or_expired_token_is_refused()
    {
        var token = (await PasswordGrantAsync())["access_token"]!.GetValue<string>();

        var missing = await _http.GetAsync("api/now/table/incident");
        var bad = await Get("api/now/table/incident", "not-a-token");
        var good = await Get("api/now/table/incident", token);
        _clock.Advance(TimeSpan.FromSeconds(1800));
        var expired = await Get("api/now/table/incident", token);

        Assert.That(good.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        foreach (var response in new[] { missing, bad, expired })
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            var body = await response.Content.ReadFromJsonAsync<JsonObject>();
            Assert.That(body!["error"]!["message"]!.GetValue<string>(), Is.EqualTo("User Not Authenticated"));
            Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo("failure"));
        }
    }

    [Test]
    public async Task An_invalid_table_is_a_400()
    {
        var response = await Get("api/now/table/incidents", await AccessTokenAsync());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["message"]!.GetValue<string>(), Is.EqualTo("Invalid table incidents"));
    }

    [TestCase("incident", "6")]
    [TestCase("incident", "7")]
    [TestCase("change_request", "3")]
    public async Task Resolving_or_closing_without_close_fields_is_a_403_data_policy_error(string table, string state)
    {
        var token = await AccessTokenAsync();
        var created = await SendJson(HttpMethod.Post, $"api/now/table/{table}", token, new JsonObject { ["short_description"] = "x" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(created.Headers.Location, Is.Not.Null);
        var sysId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["result"]!["sys_id"]!.GetValue<string>();
        if (table == "change_request")
        {
            // A change reaches Closed only from Review.
            _simulator.MoveTo(table, sysId, "0");
        }

        var refused = await SendJson(HttpMethod.Patch, $"api/now/table/{table}/{sysId}", token, new JsonObject { ["state"] = state, ["close_notes"] = "done" });
        var accepted = await SendJson(HttpMethod.Patch, $"api/now/table/{table}/{sysId}", token, new JsonObject { ["state"] = state, ["close_code"] = "Solved (Permanently)", ["close_notes"] = "done" });

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var detail = (await refused.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["detail"]!.GetValue<string>();
        Assert.That(detail, Does.StartWith("Data Policy Exception"));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(_simulator.GetRecord(table, sysId)!["state"], Is.EqualTo(state));
    }

    [Test]
    public void The_control_API_applies_the_same_data_policy()
    {
        var sysId = _simulator.CreateTicket("incident", new Dictionary<string, string> { ["short_description"] = "x" })["sys_id"];

        var error = Assert.Throws<ServiceNowSimulatorRefusedException>(() => _simulator.UpdateTicket("incident", sysId, new Dictionary<string, string> { ["state"] = "6" }));

        Assert.That(error!.StatusCode, Is.EqualTo(403));
    }

    [Test]
    public async Task Values_are_strings_references_have_links_and_numbers_count_per_table()
    {
        var token = await AccessTokenAsync();
        var first = await CreateAsync(token, "incident", new JsonObject { ["short_description"] = "a", ["assigned_to"] = _aliceSysId, ["impact"] = 1, ["urgency"] = "2" });
        var second = await CreateAsync(token, "incident", new JsonObject { ["short_description"] = "b", ["unknown_field"] = "ignored" });
        var change = await CreateAsync(token, "change_request", new JsonObject { ["short_description"] = "c" });

        Assert.Multiple(() =>
        {
            Assert.That(first["number"]!.GetValue<string>(), Is.EqualTo("INC0010001"));
            Assert.That(second["number"]!.GetValue<string>(), Is.EqualTo("INC0010002"));
            Assert.That(change["number"]!.GetValue<string>(), Is.EqualTo("CHG0030001"));
            Assert.That(first["impact"]!.GetValue<string>(), Is.EqualTo("1"));
            Assert.That(first["priority"]!.GetValue<string>(), Is.EqualTo("2"));
            Assert.That(first["state"]!.GetValue<string>(), Is.EqualTo("1"));
            Assert.That(first["active"]!.GetValue<string>(), Is.EqualTo("true"));
            Assert.That(first["sys_created_on"]!.GetValue<string>(), Is.EqualTo("2025-05-01 09:00:00"));
            Assert.That(first["assigned_to"]!["value"]!.GetValue<string>(), Is.EqualTo(_aliceSysId));
            Assert.That(first["assigned_to"]!["link"]!.GetValue<string>(), Does.EndWith($"/api/now/table/sys_user/{_aliceSysId}"));
            Assert.That(second["assigned_to"]!.GetValue<string>(), Is.Empty);
            Assert.That(second.ContainsKey("unknown_field"), Is.False);
            Assert.That(first["work_notes"]!.GetValue<string>(), Is.Empty);
        });
    }

    [Test]
    public async Task Fields_dot_walking_display_values_and_reference_links()
    {
        var token = await AccessTokenAsync();
        var created = await CreateAsync(token, "incident", new JsonObject { ["short_description"] = "a", ["assigned_to"] = _aliceSysId, ["state"] = "2" });
        var sysId = created["sys_id"]!.GetValue<string>();

        var plain = await ResultAsync(token, $"api/now/table/incident/{sysId}?sysparm_fields=number,assigned_to,assigned_to.email,nope&sysparm_exclude_reference_link=true");
        var display = await ResultAsync(token, $"api/now/table/incident/{sysId}?sysparm_fields=state,assigned_to&sysparm_display_value=true&sysparm_exclude_reference_link=true");
        var all = await ResultAsync(token, $"api/now/table/incident/{sysId}?sysparm_fields=state,assigned_to&sysparm_display_value=all");

        Assert.Multiple(() =>
        {
            Assert.That(plain.Select(p => p.Key), Is.EqualTo(NumberAssignedToAssignedToEmail));
            Assert.That(plain["assigned_to"]!.GetValue<string>(), Is.EqualTo(_aliceSysId));
            Assert.That(plain["assigned_to.email"]!.GetValue<string>(), Is.EqualTo("alice@contoso.example"));
            Assert.That(display["state"]!.GetValue<string>(), Is.EqualTo("In Progress"));
            Assert.That(display["assigned_to"]!.GetValue<string>(), Is.EqualTo("Alice Able"));
            Assert.That(all["state"]!["value"]!.GetValue<string>(), Is.EqualTo("2"));
            Assert.That(all["state"]!["display_value"]!.GetValue<string>(), Is.EqualTo("In Progress"));
            Assert.That(all["assigned_to"]!["link"], Is.Not.Null);
        });
    }

    [Test]
    public async Task Limit_offset_total_count_and_link_headers()
    {
        var token = await AccessTokenAsync();
        for (var i = 0; i < 5; i++)
        {
            _simulator.CreateTicket("problem", new Dictionary<string, string> { ["short_description"] = $"p{i}" });
        }

        var response = await Get("api/now/table/problem?sysparm_query=ORDERBYnumber&sysparm_limit=2&sysparm_offset=2&sysparm_fields=number", token);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        var link = string.Join(",", response.Headers.GetValues("Link"));

        Assert.Multiple(() =>
        {
            Assert.That(body!["result"]!.AsArray().Select(r => r!["number"]!.GetValue<string>()), Is.EqualTo(SecondPageNumbers));
            Assert.That(response.Headers.GetValues("X-Total-Count").Single(), Is.EqualTo("5"));
            Assert.That(link, Does.Contain("sysparm_offset=4&sysparm_limit=2>;rel=\"next\""));
            Assert.That(link, Does.Contain("sysparm_offset=0&sysparm_limit=2>;rel=\"prev\""));
            Assert.That(link, Does.Contain("rel=\"first\"").And.Contain("rel=\"last\""));
        });
    }

    [TestCase("user_name=alice", new[] { "alice" })]
    [TestCase("user_name!=alice", new[] { "bob", "carol" })]
    [TestCase("user_nameINalice,carol", new[] { "alice", "carol" })]
    [TestCase("user_nameNOT INalice,carol", new[] { "bob" })]
    [TestCase("emailSTARTSWITHbo", new[] { "bob" })]
    [TestCase("emailLIKEcontoso", new[] { "alice", "bob" })]
    [TestCase("emailENDSWITHfabrikam.example", new[] { "carol" })]
    [TestCase("active=true^user_name=alice^ORuser_name=carol", new[] { "alice" })]
    [TestCase("user_name=alice^NQuser_name=bob", new[] { "alice", "bob" })]
    [TestCase("user_name>bob", new[] { "carol" })]
    [TestCase("user_name>=bob", new[] { "bob", "carol" })]
    [TestCase("user_name<bob", new[] { "alice" })]
    [TestCase("user_name<=bob", new[] { "alice", "bob" })]
    [TestCase("no_such_field=1^user_name=bob", new[] { "bob" })]
    [TestCase("no_such_field=1", new[] { "alice", "bob", "carol" })]
    [TestCase("ORDERBYDESCuser_name", new[] { "carol", "bob", "alice" })]
    [TestCase("managerISEMPTY^ORDERBYemail", new[] { "alice", "bob", "carol" })]
    public async Task Encoded_queries_behave_as_ServiceNows(string query, string[] expected)
    {
        var token = await AccessTokenAsync();

        var response = await Get($"api/now/table/sys_user?sysparm_fields=user_name&sysparm_query={Uri.EscapeDataString(query)}", token);
        var names = (await response.Content.ReadFromJsonAsync<JsonObject>())!["result"]!.AsArray().Select(r => r!["user_name"]!.GetValue<string>());

        if (query.Contains("ORDERBY", StringComparison.Ordinal))
        {
            Assert.That(names, Is.EqualTo(expected));
        }
        else
        {
            Assert.That(names, Is.EquivalentTo(expected));
        }
    }

    [Test]
    public async Task Delete_is_a_204_and_the_record_is_gone()
    {
        var token = await AccessTokenAsync();
        var sysId = _simulator.CreateTicket("incident", new Dictionary<string, string> { ["short_description"] = "x" })["sys_id"];

        var deleted = await Send(HttpMethod.Delete, $"api/now/table/incident/{sysId}", token);
        var missing = await Get($"api/now/table/incident/{sysId}", token);

        Assert.Multiple(() =>
        {
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Acting_as_a_user_maintains_updated_on_mod_count_and_active()
    {
        var sysId = _simulator.CreateTicket("incident", new Dictionary<string, string> { ["short_description"] = "x" }, asUser: "alice")["sys_id"];
        _clock.Advance(TimeSpan.FromSeconds(5));

        _simulator.Reassign("incident", sysId, "bob", asUser: "alice");
        var resolved = _simulator.Resolve("incident", sysId);
        var closed = _simulator.Close("incident", sysId);

        Assert.Multiple(() =>
        {
            Assert.That(resolved["sys_updated_on"], Is.EqualTo("2025-05-01 09:00:05"));
            Assert.That(resolved["resolved_at"], Is.EqualTo("2025-05-01 09:00:05"));
            Assert.That(closed["sys_mod_count"], Is.EqualTo("3"));
            Assert.That(closed["active"], Is.EqualTo("false"));
            Assert.That(closed["opened_by"], Is.EqualTo(_aliceSysId));
        });
    }

    [Test]
    public async Task The_HTTP_control_surface_seeds_and_injects_faults()
    {
        var seeded = await _http.PostAsJsonAsync("_sim/servicenow/users", new { userName = "dave", email = "dave@contoso.example", password = "dave-pw" });
        var faults = await _http.PostAsJsonAsync("_sim/servicenow/faults", new { kind = "rateLimit", count = 1, retryAfterSeconds = 3 });
        var token = await _http.PostAsync("oauth_token.do", Form(("grant_type", "password"), ("client_id", ClientId), ("client_secret", ClientSecret), ("username", "dave"), ("password", "dave-pw")));
        var counts = await _http.GetFromJsonAsync<JsonObject>("_sim/servicenow/requests");

        Assert.Multiple(() =>
        {
            Assert.That(seeded.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(faults.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(token.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(counts!["endpoints"]!["POST /oauth_token.do"]!.GetValue<int>(), Is.EqualTo(1));
        });
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] values) => ServiceNowSimulatorHttp.Form(values);

    private static async Task AssertAccessDeniedAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.That(body!.ToJsonString(), Is.EqualTo("{\"error_description\":\"access_denied\",\"error\":\"server_error\"}"));
    }

    private async Task<JsonObject> PasswordGrantAsync()
    {
        var response = await _http.PostAsync("oauth_token.do", Form(("grant_type", "password"), ("client_id", ClientId), ("client_secret", ClientSecret), ("username", "alice"), ("password", "alice-pw")));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<string> AccessTokenAsync() => (await PasswordGrantAsync())["access_token"]!.GetValue<string>();

    private Task<HttpResponseMessage> Get(string path, string token) => Send(HttpMethod.Get, path, token);

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string token) => ServiceNowSimulatorHttp.Send(_http, method, path, token);

    private Task<HttpResponseMessage> SendJson(HttpMethod method, string path, string token, JsonObject body) => ServiceNowSimulatorHttp.SendJson(_http, method, path, token, body);

    private async Task<JsonObject> CreateAsync(string token, string table, JsonObject body)
    {
        var response = await SendJson(HttpMethod.Post, $"api/now/table/{table}", token, body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["result"]!.AsObject();
    }

    private async Task<JsonObject> ResultAsync(string token, string path)
    {
        var response = await Get(path, token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["result"]!.AsObject();
    }
}
