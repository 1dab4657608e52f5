using System.Net;
using System.Text;
using System.Text.Json;
using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Tests.ServiceNow;

/// <summary>
/// The reading side of the ServiceNow client: its wire records, the one deserializer, and the mapping to Core's
/// records. Bodies are written here as ServiceNow sends them for the parameters the client asks for
/// (sysparm_display_value=false, sysparm_exclude_reference_link=true: every field a string).
/// </summary>
[TestFixture]
public sealed class ServiceNowWireModelTests
{
    private const string SysId = "0123456789abcdef0123456789abcdef";
    private static readonly Uri Instance = new("https://contoso.service-now.com/");

    [Test]
    public async Task A_ticket_of_strings_maps_to_the_core_record()
    {
        var body = $$"""
            {"result":[{"sys_id":"{{SysId}}","number":"INC0010001","state":"2","short_description":"Unhealthy VM",
              "assigned_to":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","assigned_to.user_name":"alice","assigned_to.email":"alice@contoso.example",
              "assignment_group":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","correlation_id":"assignment-42",
              "sys_created_on":"2026-01-02 03:04:05","sys_updated_on":"2026-01-03 04:05:06","sys_mod_count":"7","unasked":"ignored"}]}
            """;

        var ticket = (await ReadTicketsAsync(body)).Single();

        Assert.Multiple(() =>
        {
            Assert.That(ticket.Table, Is.EqualTo("incident"));
            Assert.That(ticket.SysId, Is.EqualTo(SysId));
            Assert.That(ticket.Number, Is.EqualTo("INC0010001"));
            Assert.That(ticket.State.Value, Is.EqualTo("2"));
            Assert.That(ticket.ShortDescription, Is.EqualTo("Unhealthy VM"));
            Assert.That(ticket.AssignedToSysId, Is.EqualTo("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
            Assert.That(ticket.AssignedToUserName, Is.EqualTo("alice"));
            Assert.That(ticket.AssignedToEmail, Is.EqualTo("alice@contoso.example"));
            Assert.That(ticket.AssignmentGroupSysId, Is.EqualTo("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
            Assert.That(ticket.CorrelationId, Is.EqualTo("assignment-42"));
            Assert.That(ticket.CreatedOn, Is.EqualTo(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)));
            Assert.That(ticket.UpdatedOn, Is.EqualTo(new DateTimeOffset(2026, 1, 3, 4, 5, 6, TimeSpan.Zero)));
            Assert.That(ticket.ModCount, Is.EqualTo(7));
            Assert.That(ticket.Link, Is.EqualTo(new Uri(Instance, $"incident.do?sys_id={SysId}")));
        });
    }

    [Test]
    public async Task Fields_hidden_by_field_level_ACLs_read_as_empty_defaults()
    {
        var ticket = (await ReadTicketsAsync($$"""{"result":[{"sys_id":"{{SysId}}","assigned_to":"","correlation_id":""}]}""")).Single();

        Assert.Multiple(() =>
        {
            Assert.That(ticket.Number, Is.Empty);
            Assert.That(ticket.ShortDescription, Is.Null);
            Assert.That(ticket.AssignedToSysId, Is.Null, "an empty reference is no reference");
            Assert.That(ticket.AssignmentGroupSysId, Is.Null);
            Assert.That(ticket.CorrelationId, Is.Null);
            Assert.That(ticket.CreatedOn, Is.EqualTo(DateTimeOffset.MinValue));
            Assert.That(ticket.UpdatedOn, Is.EqualTo(DateTimeOffset.MinValue));
            Assert.That(ticket.ModCount, Is.Zero);
        });
    }

    [Test]
    public void A_ticket_without_sys_id_fails_loudly()
    {
        var error = Assert.ThrowsAsync<ServiceNowUnreachableException>(() => ReadTicketsAsync("""{"result":[{"number":"INC0010001"}]}"""));

        Assert.That(error!.Message, Does.Contain("without sys_id"));
    }

    [TestCase("""{"sys_id":"S","number":10001}""", "number", TestName = "A number where a string is expected")]
    [TestCase("""{"sys_id":"S","assigned_to":{"link":"https://x/api/now/table/sys_user/a","value":"a"}}""", "assigned_to", TestName = "A reference link the client did not ask for")]
    [TestCase("""{"sys_id":"S","state":{"display_value":"New","value":"1"}}""", "state", TestName = "A display value the client did not ask for")]
    [TestCase("""{"sys_id":true}""", "sys_id", TestName = "A boolean for the sys_id")]
    [TestCase("""{"sys_id":"S","short_description":["a"]}""", "short_description", TestName = "An array for a string")]
    public void A_wrongly_typed_field_is_a_malformed_answer_naming_the_field(string record, string field)
    {
        var error = Assert.ThrowsAsync<ServiceNowUnreachableException>(() => ReadTicketsAsync($$"""{"result":[{{record.Replace("\"S\"", $"\"{SysId}\"", StringComparison.Ordinal)}}]}"""));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("malformed").And.Contain(field));
            Assert.That(error.InnerException, Is.InstanceOf<JsonException>());
        });
    }

    [Test]
    public void A_modification_count_that_is_no_number_fails_loudly()
    {
        var error = Assert.ThrowsAsync<ServiceNowUnreachableException>(() => ReadTicketsAsync($$"""{"result":[{"sys_id":"{{SysId}}","sys_mod_count":"seven"}]}"""));

        Assert.That(error!.Message, Does.Contain("sys_mod_count"));
    }

    [TestCase("{\"result\":[", TestName = "Truncated JSON")]
    [TestCase("<html>Instance hibernating</html>", TestName = "Not JSON")]
    [TestCase("{\"records\":[]}", TestName = "No result")]
    [TestCase("{\"result\":{\"sys_id\":\"x\"}}", TestName = "One record where a list is asked for")]
    [TestCase("null", TestName = "JSON null")]
    public void An_answer_that_is_not_a_result_list_is_a_malformed_answer(string body) =>
        Assert.ThrowsAsync<ServiceNowUnreachableException>(() => ReadTicketsAsync(body));

    [Test]
    public async Task A_create_answer_is_one_record()
    {
        using var response = Answer($$$"""{"result":{"sys_id":"{{{SysId}}}","number":"PRB0040001"}}""");

        var record = await ServiceNowJson.ReadResultAsync<ServiceNowTicketRecord>(response, CancellationToken.None);

        Assert.That(record.ToTicket(ServiceNowTicketTables.Get("problem"), Instance).Number, Is.EqualTo("PRB0040001"));
    }

    [Test]
    public async Task Users_and_groups_map_with_empty_optional_fields_as_null()
    {
        using var users = Answer("""{"result":[{"sys_id":"u","user_name":"alice","email":"","time_zone":"Europe/Paris"}]}""");
        using var groups = Answer("""{"result":[{"sys_id":"g","name":"Security Operations"}]}""");

        var user = (await ServiceNowJson.ReadResultAsync<List<ServiceNowUserRecord>>(users, CancellationToken.None)).Single();
        var group = (await ServiceNowJson.ReadResultAsync<List<ServiceNowGroupRecord>>(groups, CancellationToken.None)).Single();

        Assert.Multiple(() =>
        {
            Assert.That(user.ToUser(), Is.EqualTo(new ServiceNowUser("u", "alice", null, null)));
            Assert.That(user.TimeZone, Is.EqualTo("Europe/Paris"));
            Assert.That(group.ToGroup(), Is.EqualTo(new ServiceNowGroup("g", "Security Operations")));
        });
    }

    [TestCase("1799", 1799)]
    [TestCase("\"1799\"", 1799)]
    [TestCase("0", 1800)]
    [TestCase("null", 1800)]
    public async Task A_token_answer_maps_to_a_grant_with_a_sane_lifetime(string expiresIn, int seconds)
    {
        using var response = Answer($$$"""{"access_token":"at","refresh_token":"rt","scope":"useraccount","token_type":"Bearer","expires_in":{{{expiresIn}}}}""");

        var grant = (await ServiceNowJson.ReadAsync<ServiceNowTokenAnswer>(response, CancellationToken.None)).ToGrant();

        Assert.That(grant, Is.EqualTo(new ServiceNowTokenGrant("at", "rt", TimeSpan.FromSeconds(seconds))));
    }

    [TestCase("""{"refresh_token":"rt","expires_in":1799}""", "access_token", TestName = "A token answer without access token")]
    [TestCase("""{"access_token":42,"expires_in":1799}""", "access_token", TestName = "A token answer with a numeric access token")]
    [TestCase("""{"access_token":"at","expires_in":"soon"}""", "expires_in", TestName = "A token answer with a lifetime that is no number")]
    public void A_token_answer_that_is_no_grant_fails_naming_the_member(string body, string member)
    {
        using var response = Answer(body);

        var error = Assert.ThrowsAsync<ServiceNowUnreachableException>(async () =>
            (await ServiceNowJson.ReadAsync<ServiceNowTokenAnswer>(response, CancellationToken.None)).ToGrant());

        Assert.That(error!.Message, Does.Contain(member));
    }

    [TestCase("""{"error":{"message":"Operation Failed","detail":"ACL Exception Insert Failed due to security constraints"},"status":"failure"}""", "Operation Failed (ACL Exception Insert Failed due to security constraints)")]
    [TestCase("""{"error":{"message":"No Record found","detail":null},"status":"failure"}""", "No Record found")]
    [TestCase("""{"error":{"detail":"Only the detail"},"status":"failure"}""", "Only the detail")]
    [TestCase("""{"error":"invalid_grant","error_description":"access_denied"}""", "access_denied")]
    [TestCase("""{"error":"server_error"}""", "server_error")]
    public void An_error_body_gives_ServiceNow_s_reason(string body, string reason) =>
        Assert.That(ServiceNowJson.ReadReason(body), Is.EqualTo(reason));

    [TestCase("")]
    [TestCase("<html>Bad gateway</html>")]
    [TestCase("[1,2]")]
    [TestCase("""{"error":42}""")]
    [TestCase("""{"status":"failure"}""")]
    public void An_error_body_without_a_reason_gives_none(string body) =>
        Assert.That(ServiceNowJson.ReadReason(body), Is.Null);

    private static async Task<List<ServiceNowTicket>> ReadTicketsAsync(string body)
    {
        using var response = Answer(body);
        var records = await ServiceNowJson.ReadResultAsync<List<ServiceNowTicketRecord>>(response, CancellationToken.None);
        return records.Select(r => r.ToTicket(ServiceNowTicketTables.Get("incident"), Instance)).ToList();
    }

    private static HttpResponseMessage Answer(string body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}
