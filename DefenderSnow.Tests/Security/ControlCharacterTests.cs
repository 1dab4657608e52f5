using System.Net;
using System.Text;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Security;

/// <summary>
/// CR/LF and other control characters that callers or ServiceNow send reach neither a log line nor a problem detail
/// raw: they are written as <c>\uXXXX</c>, so nobody can forge a log line or split a field (issue 26, item 6).
/// </summary>
[TestFixture]
public sealed class ControlCharacterTests : IUsesHarness
{
    private const string Forged = "\r\nWarning: forged line";

    private IntegrationHarness _harness = null!;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartApp() => _harness = await IntegrationHarness.StartAsync();

    [Test]
    public async Task A_route_id_with_a_line_break_is_escaped_in_the_problem_detail_and_the_log()
    {
        var logged = _harness.App.Logs.Lines.Count;

        var response = await _harness.UpdateAsync("0123456789abcdef" + Forged, new { name = "x" });

        Assert.That(response.Status, Is.EqualTo(404), response.ToString());
        var detail = response.Json["detail"]!.GetValue<string>();
        var lines = _harness.App.Logs.Lines.Skip(logged).Where(l => l.Contains("forged line", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(detail, Does.Contain("\\u000D\\u000AWarning: forged line"), "the id is quoted, escaped");
            Assert.That(detail, Does.Not.Match("[\\r\\n]"));
            Assert.That(lines, Is.Not.Empty, "the refusal is logged");
            Assert.That(lines, Has.None.Matches("[\\r\\n]"), "no log line carries the raw line break");
        });
    }

    [Test]
    public async Task A_json_member_name_with_a_line_break_is_escaped_in_the_fields_named()
    {
        var body = "{\"na\\r\\nme\": \"x\"}";

        var response = await _harness.CreateRawAsync(body);

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        var fields = response.Json["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.That(fields, Has.Some.Contains("\\u000D\\u000A"), response.ToString());
        Assert.That(fields.Concat(response.Json["errors"]!.AsObject().SelectMany(e => e.Value!.AsArray().Select(m => m!.GetValue<string>()))), Has.None.Matches("[\\r\\n]"));
        Assert.That(response.Json["detail"]?.GetValue<string>() ?? string.Empty, Does.Not.Match("[\\r\\n]"));
    }

    [Test]
    public async Task ServiceNows_error_text_with_line_breaks_is_one_line()
    {
        // A business rule's abort message is free text an instance admin writes.
        using var response = new HttpResponseMessage(HttpStatusCode.Forbidden)
        {
            Content = new StringContent("{\"error\":{\"message\":\"Operation Failed\",\"detail\":\"Aborted" + "\\r\\nINFO forged\\u0007\"},\"status\":\"failure\"}", Encoding.UTF8, "application/json"),
        };

        var reason = await ServiceNowCall.ReadReasonAsync(response, CancellationToken.None);

        Assert.That(reason, Does.Not.Match("[\\r\\n\\a]"));
        Assert.That(reason, Does.Contain("Aborted\\u000D\\u000AINFO forged\\u0007"));
    }
}
