using System.Net;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace DefenderSnow.Tests.Integrations;

/// <summary>Every kind of bad input gets problem details naming the field, and nothing is stored or sent to ServiceNow.</summary>
public sealed class IntegrationBadInputTests : IUsesHarness
{
    private static readonly string[] CallerId = ["caller_id"];
    private static readonly string[] Description = ["description"];
    private static readonly string[] DescriptionCloseNotes = ["description", "close_notes"];
    private static readonly string[] UsernamePasswordName = ["username", "password", "name"];

    private IntegrationHarness _harness = null!;
    private string _before = null!;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartApp() => _harness = await IntegrationHarness.StartAsync();

    [SetUp]
    public async Task BeginTestFromASnapshot()
    {
        _before = await StateSnapshot.TakeAsync(_harness.App);
        _harness.App.ServiceNow.ResetRequestCounts();
    }

    public static IEnumerable<TestCaseData> InvalidBodies()
    {
        yield return Case("name of 300 characters", b => b["name"] = new string('n', 300), "name");
        yield return Case("empty name", b => b["name"] = "   ", "name");
        yield return Case("missing name", b => b.Remove("name"), "name");
        yield return Case("missing scope", b => b.Remove("scope"), "scope");
        yield return Case("unknown scope type", b => b["scope"] = new Dictionary<string, object?> { ["type"] = "tenant", ["id"] = IntegrationHarness.SubscriptionScope }, "scope.type");
        yield return Case("subscription id not a GUID", b => b["scope"] = new Dictionary<string, object?> { ["type"] = "subscription", ["id"] = "/subscriptions/contoso" }, "scope.id");
        yield return Case("missing instance URL", b => b.Remove("instanceUrl"), "instanceUrl");
        yield return Case("http instance URL", b => b["instanceUrl"] = ((string)b["instanceUrl"]!).Replace("https://", "http://"), "instanceUrl");
        yield return Case("instance URL with a path", b => b["instanceUrl"] = (string)b["instanceUrl"]! + "api/now", "instanceUrl");
        yield return Case("missing username", b => b.Remove("username"), "username");
        yield return Case("missing password", b => b.Remove("password"), "password");
        yield return Case("empty password", b => b["password"] = string.Empty, "password");
        yield return Case("empty client secret", b => b["clientSecret"] = string.Empty, "clientSecret");
        yield return Case("a password with a NUL", b => b["password"] = "pass\u0000word", "password");
        yield return Case("a password with a line break", b => b["password"] = "password\n", "password");
        yield return Case("a client secret with a control character", b => b["clientSecret"] = "\u0007secret", "clientSecret");
        yield return Case("missing client id", b => b.Remove("clientId"), "clientId");
        yield return Case("unknown field mode", b => b["fieldMode"] = "fancy", "fieldMode");
        yield return Case("a field that does not exist for problem", b => b["fields"] = new Dictionary<string, object?> { ["problem"] = CallerId }, "fields.problem[0]");
        yield return Case("a field DefenderSnow does not set", b => b["fields"] = new Dictionary<string, object?> { ["incident"] = DescriptionCloseNotes }, "fields.incident[1]");
        yield return Case("an unknown ticket type", b => b["fields"] = new Dictionary<string, object?> { ["task"] = Description }, "fields.task");
        yield return Case("an unknown member", b => b["pasword"] = "x", "pasword");
        yield return Case("a number where a string belongs", b => b["name"] = 42, "name");
    }

    [TestCaseSource(nameof(InvalidBodies))]
    public async Task Invalid_input_is_a_400_naming_the_field_and_changes_nothing(Action<Dictionary<string, object?>> spoil, string field)
    {
        var body = _harness.ValidBody();
        spoil(body);

        var response = await _harness.CreateAsync(body);

        await AssertRefusedAsync(response, 400, field);
    }

    [Test]
    public async Task Several_problems_are_named_in_one_answer()
    {
        var body = _harness.ValidBody();
        body.Remove("username");
        body["password"] = string.Empty;
        body["name"] = new string('n', 300);

        var response = await _harness.CreateAsync(body);

        await AssertRefusedAsync(response, 400, "username");
        Assert.That(response.Json["errors"]!.AsObject().Select(e => e.Key), Is.SupersetOf(UsernamePasswordName));
    }

    [TestCase("{\"name\": \"x\",", "body")]
    [TestCase("", "body")]
    [TestCase("[1,2]", "body")]
    [TestCase("{\"scope\": {\"type\": 1}}", "scope.type")]
    [TestCase("{\"password\": \"a\", \"password\": \"b\"}", "password")]
    [TestCase("{\"name\": \"a\", \"scope\": {\"type\": \"subscription\", \"type\": \"managementGroup\"}}", "scope.type")]
    [TestCase("{\"fields\": {\"incident\": [\"impact\"], \"incident\": []}}", "fields.incident")]
    public async Task Malformed_json_is_a_400_naming_where(string raw, string field)
    {
        var response = await _harness.CreateRawAsync(raw);

        await AssertRefusedAsync(response, 400, field);
    }

    [Test]
    public async Task A_repeated_member_is_a_400_naming_it_even_when_the_body_is_otherwise_valid()
    {
        var body = FunctionCall.Json(_harness.ValidBody());
        var repeated = body.Insert(body.LastIndexOf('}'), ",\"password\":\"another\"");

        var response = await _harness.CreateRawAsync(repeated);

        await AssertRefusedAsync(response, 400, "password");
    }

    [Test]
    public async Task A_chunked_body_over_64_kb_without_content_length_is_a_413()
    {
        var body = _harness.ValidBody();
        body["name"] = new string('n', 70 * 1024);
        var context = FunctionCall.Request("POST", "/api/integrations", FunctionCall.Json(body));
        context.Request.ContentLength = null;
        context.Request.Headers.TransferEncoding = "chunked";

        var response = await FunctionCall.InvokeAsync(context, r => _harness.Functions.Create(r, CancellationToken.None));

        await AssertRefusedAsync(response, 413, "body");
    }

    [Test]
    public async Task A_body_over_64_kb_is_a_413()
    {
        var body = _harness.ValidBody();
        body["name"] = new string('n', 70 * 1024);

        var response = await _harness.CreateAsync(body);

        await AssertRefusedAsync(response, 413, "body");
    }

    [Test]
    public async Task An_unknown_or_malformed_id_is_a_404()
    {
        Assert.That((await _harness.GetAsync(Guid.NewGuid().ToString("N"))).Status, Is.EqualTo(404));
        Assert.That((await _harness.GetAsync("name-..%2F")).Status, Is.EqualTo(404));
        Assert.That((await _harness.DeleteAsync(Guid.NewGuid().ToString("N"))).Status, Is.EqualTo(404));
        Assert.That((await _harness.UpdateAsync(Guid.NewGuid().ToString("N"), new { name = "x" })).Status, Is.EqualTo(404));
    }

    [TestCase("?top=0", "top")]
    [TestCase("?top=abc", "top")]
    public async Task Bad_list_parameters_are_a_400(string query, string field)
    {
        var response = await _harness.ListAsync(query);

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(response.Json["errors"]![field], Is.Not.Null, response.ToString());
    }

    private static TestCaseData Case(string name, Action<Dictionary<string, object?>> spoil, string field) =>
        new TestCaseData(spoil, field).SetName($"Invalid input is refused: {name}");

    private async Task AssertRefusedAsync(FunctionResponse response, int status, string field)
    {
        Assert.That(response.Status, Is.EqualTo(status), response.ToString());
        Assert.That(response.ContentType, Does.StartWith("application/problem+json"));
        Assert.That(response.Json["status"]!.GetValue<int>(), Is.EqualTo(status));
        Assert.That(response.Json["errors"]?[field], Is.Not.Null, $"expected an error on '{field}': {response}");

        Assert.That(_harness.App.ServiceNow.TotalRequests, Is.Zero, "nothing invalid reaches ServiceNow");
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(_before), "nothing was stored");
    }
}

/// <summary>The allow list as production has it: no loopback, no IP literals, only the configured hosts.</summary>
public sealed class IntegrationInstanceAllowListTests : IUsesHarness
{
    /// <summary>A DNS that points an allowed name at this machine, as a hostile or broken resolver might.</summary>
    private readonly Mock<IHostAddressResolver> _dns = new();

    private IntegrationHarness _harness = null!;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartAppWithProductionAllowList()
    {
        _dns.Setup(d => d.ResolveAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync([IPAddress.Loopback, IPAddress.Parse("10.0.0.7"), IPAddress.Parse("169.254.169.254")]);
        _harness = await IntegrationHarness.StartAsync(
            settings =>
            {
                settings["ServiceNow:AllowPrivateAddresses"] = "false";
                settings["ServiceNow:AllowedHosts:0"] = "*.service-now.com";
            },
            services => services.AddSingleton(_dns.Object));
    }

    [Test]
    public async Task An_allowed_name_that_resolves_to_a_private_address_is_never_connected_to()
    {
        var before = await StateSnapshot.TakeAsync(_harness.App);
        _harness.App.ServiceNow.ResetRequestCounts();
        var body = _harness.ValidBody();
        body["instanceUrl"] = "https://rebound.service-now.com/";

        var response = await _harness.CreateAsync(body);

        Assert.That(response.Status, Is.EqualTo(502), response.ToString());
        Assert.That(response.Json["detail"]!.GetValue<string>(), Does.Contain("private or local addresses"));
        Assert.That(_harness.App.ServiceNow.TotalRequests, Is.Zero, "the connection was refused before it was made");
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
        _dns.Verify(d => d.ResolveAsync("rebound.service-now.com", It.IsAny<CancellationToken>()), Times.AtLeastOnce(), "the addresses were checked when connecting");
    }

    [TestCase("https://127.0.0.1:8443/")]
    [TestCase("https://localhost/")]
    [TestCase("https://10.1.2.3/")]
    [TestCase("https://[::1]/")]
    [TestCase("https://contoso.example.com/")]
    [TestCase("https://contoso.service-now.com.evil.example/")]
    [TestCase("http://contoso.service-now.com/")]
    [TestCase("https://user:pw@contoso.service-now.com/")]
    [TestCase("https://contoso.service-now.com:8443/")]
    [TestCase("https://xn--cntoso-wxa.service-now.com/")]
    public async Task An_instance_outside_the_allow_list_is_a_400_on_instanceUrl_and_changes_nothing(string instanceUrl)
    {
        var before = await StateSnapshot.TakeAsync(_harness.App);
        _harness.App.ServiceNow.ResetRequestCounts();
        var body = _harness.ValidBody();
        body["instanceUrl"] = instanceUrl;

        var response = await _harness.CreateAsync(body);

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(response.Json["errors"]!["instanceUrl"], Is.Not.Null, response.ToString());
        Assert.That(_harness.App.ServiceNow.TotalRequests, Is.Zero);
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
    }
}
