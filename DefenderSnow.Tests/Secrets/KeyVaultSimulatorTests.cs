using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Simulators.KeyVault;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.Secrets;

/// <summary>
/// The Key Vault double, driven by the real <see cref="SecretClient"/> over HTTPS, and by raw HTTP where
/// the rule is about the wire (challenge, api-version, content type). If the double accepted what Key
/// Vault refuses, these fail.
/// </summary>
public class KeyVaultSimulatorTests
{
    private static readonly string[] Largest = ["largest"];
    private static readonly string[] MixedCase = ["MixedCase"];
    private static readonly string[] Soft = ["soft"];
    private static readonly int[] ThrottledOnceThenOk = [429, 200];
    private static readonly string[] TwoByte = ["two-byte"];

    private const string ApiVersion = "7.6";
    private KeyVaultSimulator _simulator = null!;
    private SecretClient _client = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _simulator = await KeyVaultTestEnvironment.StartSimulatorAsync();
        _client = KeyVaultTestEnvironment.CreateClient(_simulator.BaseUri);
    }

    [TearDown]
    public async Task StopAsync() => await _simulator.DisposeAsync();

    [Test]
    public async Task Each_set_is_a_new_version_and_get_returns_the_latest_or_the_one_asked_for()
    {
        var first = (await _client.SetSecretAsync("rotating", "one")).Value;
        var second = (await _client.SetSecretAsync("rotating", "two")).Value;

        Assert.That(first.Properties.Version, Does.Match("^[0-9a-f]{32}$"));
        Assert.That(second.Properties.Version, Is.Not.EqualTo(first.Properties.Version));
        Assert.That(second.Id, Is.EqualTo(new Uri(_simulator.BaseUri, $"secrets/rotating/{second.Properties.Version}")));
        Assert.That((await _client.GetSecretAsync("rotating")).Value.Value, Is.EqualTo("two"));
        Assert.That((await _client.GetSecretAsync("rotating", first.Properties.Version)).Value.Value, Is.EqualTo("one"));
        var versions = new List<string>();
        await foreach (var properties in _client.GetPropertiesOfSecretVersionsAsync("rotating"))
        {
            versions.Add(properties.Version);
        }

        Assert.That(versions, Is.EquivalentTo(new[] { first.Properties.Version, second.Properties.Version }));
        Assert.That(_simulator.Versions("rotating"), Is.EqualTo(new[] { first.Properties.Version, second.Properties.Version }));
    }

    [Test]
    public async Task Names_ignore_case_and_keep_the_case_first_written()
    {
        await _client.SetSecretAsync("MixedCase", "v");

        Assert.That((await _client.GetSecretAsync("mixedcase")).Value.Value, Is.EqualTo("v"));
        Assert.That(_simulator.SecretNames(), Is.EqualTo(MixedCase));
    }

    [TestCase("has_underscore")]
    [TestCase("has.dot")]
    [TestCase("has space")]
    [TestCase("accentué")]
    [TestCase("a23456789a123456789a123456789a123456789a123456789a123456789a123456789a123456789a123456789a123456789a123456789a123456789a12345678")]
    public void Invalid_names_are_refused_with_BadParameter_and_nothing_is_stored(string name)
    {
        var error = Assert.ThrowsAsync<RequestFailedException>(() => _client.SetSecretAsync(name, "value"))!;

        Assert.That(error.Status, Is.EqualTo(400));
        Assert.That(error.ErrorCode, Is.EqualTo("BadParameter"));
        Assert.That(_simulator.SecretNames(), Is.Empty);
    }

    [Test]
    public async Task A_name_of_127_letters_digits_and_dashes_is_accepted()
    {
        var name = "a-1" + new string('b', 124);

        await _client.SetSecretAsync(name, "value");

        Assert.That(_simulator.GetValue(name), Is.EqualTo("value"));
    }

    [Test]
    public async Task Values_may_be_25600_characters_and_no_more()
    {
        await _client.SetSecretAsync("largest", new string('x', 25_600));
        var error = Assert.ThrowsAsync<RequestFailedException>(() => _client.SetSecretAsync("too-large", new string('x', 25_601)))!;

        Assert.That(error.Status, Is.EqualTo(400));
        Assert.That(error.ErrorCode, Is.EqualTo("BadParameter"));
        Assert.That(_simulator.SecretNames(), Is.EqualTo(Largest));
    }

    [Test]
    public async Task The_25_KB_limit_counts_UTF8_bytes_not_characters()
    {
        // "é" is two bytes in UTF-8: 12,800 of them are exactly 25,600 bytes, one more is over.
        await _client.SetSecretAsync("two-byte", new string('é', 12_800));
        var error = Assert.ThrowsAsync<RequestFailedException>(() => _client.SetSecretAsync("over", new string('é', 12_801)))!;

        Assert.That(error.Status, Is.EqualTo(400));
        Assert.That(error.Message, Does.Contain("25600 bytes"));
        Assert.That(_simulator.SecretNames(), Is.EqualTo(TwoByte));
    }

    [Test]
    public void More_than_15_tags_are_refused()
    {
        var secret = new KeyVaultSecret("tagged", "value");
        for (var i = 0; i < 16; i++)
        {
            secret.Properties.Tags[$"tag{i}"] = "x";
        }

        var error = Assert.ThrowsAsync<RequestFailedException>(() => _client.SetSecretAsync(secret))!;

        Assert.That(error.Status, Is.EqualTo(400));
        Assert.That(_simulator.SecretNames(), Is.Empty);
    }

    [Test]
    public async Task Content_type_and_tags_are_kept()
    {
        var secret = new KeyVaultSecret("described", "value") { Properties = { ContentType = "text/plain" } };
        secret.Properties.Tags["owner"] = "tests";

        await _client.SetSecretAsync(secret);
        var read = (await _client.GetSecretAsync("described")).Value;

        Assert.That(read.Properties.ContentType, Is.EqualTo("text/plain"));
        Assert.That(read.Properties.Tags, Is.EqualTo(new Dictionary<string, string> { ["owner"] = "tests" }));
    }

    [Test]
    public async Task An_unknown_secret_is_404_SecretNotFound_with_the_documented_error_body()
    {
        await _client.SetSecretAsync("known", "value");
        var missing = Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("unknown"))!;
        var missingVersion = Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("known", new string('0', 32)))!;

        foreach (var error in new[] { missing, missingVersion })
        {
            Assert.That(error.Status, Is.EqualTo(404));
            Assert.That(error.ErrorCode, Is.EqualTo("SecretNotFound"));
            using var body = JsonDocument.Parse(error.GetRawResponse()!.Content.ToString());
            var inner = body.RootElement.GetProperty("error");
            Assert.That(inner.GetProperty("code").GetString(), Is.EqualTo("SecretNotFound"));
            Assert.That(inner.GetProperty("message").GetString(), Is.Not.Empty);
        }
    }

    [Test]
    public async Task A_disabled_secret_cannot_be_read()
    {
        var secret = new KeyVaultSecret("disabled", "value") { Properties = { Enabled = false } };
        await _client.SetSecretAsync(secret);

        var error = Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("disabled"))!;

        Assert.That(error.Status, Is.EqualTo(403));
        Assert.That(error.ErrorCode, Is.EqualTo("Forbidden"));
    }

    [Test]
    public async Task Update_changes_one_versions_attributes_and_keeps_its_value_content_type_and_tags()
    {
        var secret = new KeyVaultSecret("updated", "one") { Properties = { ContentType = "text/plain", Tags = { ["kind"] = "password" } } };
        var first = (await _client.SetSecretAsync(secret)).Value;
        await _client.SetSecretAsync("updated", "two");

        var answer = (await _client.UpdateSecretPropertiesAsync(new SecretProperties(first.Id) { Enabled = false })).Value;

        Assert.That(answer.Enabled, Is.False);
        Assert.That(answer.ContentType, Is.EqualTo("text/plain"));
        Assert.That(answer.Tags["kind"], Is.EqualTo("password"));
        Assert.That(_simulator.GetValue("updated", first.Properties.Version), Is.EqualTo("one"));
        Assert.That((await _client.GetSecretAsync("updated")).Value.Value, Is.EqualTo("two"));
        var refused = Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("updated", first.Properties.Version))!;
        Assert.That(refused.Status, Is.EqualTo(403));
    }

    [Test]
    public async Task Updating_an_unknown_version_is_404_SecretNotFound()
    {
        var stored = (await _client.SetSecretAsync("known", "value")).Value;
        var unknown = new SecretProperties(new Uri(_simulator.BaseUri, "secrets/known/" + new string('0', 32))) { Enabled = false };

        var error = Assert.ThrowsAsync<RequestFailedException>(() => _client.UpdateSecretPropertiesAsync(unknown))!;

        Assert.That(error.Status, Is.EqualTo(404));
        Assert.That(error.ErrorCode, Is.EqualTo("SecretNotFound"));
        Assert.That(_simulator.EnabledVersions("known"), Is.EqualTo(new[] { stored.Properties.Version }));
    }

    [Test]
    public async Task Delete_is_soft_a_deleted_name_cannot_be_reused_and_can_be_recovered()
    {
        await _client.SetSecretAsync("soft", "kept");

        var operation = await _client.StartDeleteSecretAsync("soft");
        await operation.WaitForCompletionAsync(TimeSpan.FromMilliseconds(10), CancellationToken.None);
        var deleted = (await _client.GetDeletedSecretAsync("soft")).Value;

        Assert.That(_simulator.SecretNames(), Is.Empty);
        Assert.That(_simulator.DeletedSecretNames(), Is.EqualTo(Soft));
        Assert.That(deleted.RecoveryId, Is.EqualTo(new Uri(_simulator.BaseUri, "deletedsecrets/soft")));
        Assert.That(deleted.ScheduledPurgeDate - deleted.DeletedOn, Is.EqualTo(TimeSpan.FromDays(90)));
        Assert.That(Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("soft"))!.Status, Is.EqualTo(404));

        var conflict = Assert.ThrowsAsync<RequestFailedException>(() => _client.SetSecretAsync("soft", "reused"))!;
        Assert.That(conflict.Status, Is.EqualTo(409));
        Assert.That(conflict.ErrorCode, Is.EqualTo("Conflict"));
        Assert.That(conflict.GetRawResponse()!.Content.ToString(), Does.Contain("ObjectIsDeletedButRecoverable"));

        var recovery = await _client.StartRecoverDeletedSecretAsync("soft");
        await recovery.WaitForCompletionAsync(TimeSpan.FromMilliseconds(10), CancellationToken.None);

        Assert.That((await _client.GetSecretAsync("soft")).Value.Value, Is.EqualTo("kept"));
        Assert.That(_simulator.DeletedSecretNames(), Is.Empty);
    }

    [Test]
    public async Task A_purged_name_can_be_reused()
    {
        await _client.SetSecretAsync("purged", "old");
        await _client.StartDeleteSecretAsync("purged");

        await _client.PurgeDeletedSecretAsync("purged");
        await _client.SetSecretAsync("purged", "new");

        Assert.That(_simulator.DeletedSecretNames(), Is.Empty);
        Assert.That(_simulator.Versions("purged"), Has.Count.EqualTo(1));
        Assert.That(_simulator.GetValue("purged"), Is.EqualTo("new"));
    }

    [Test]
    public void Deleting_or_purging_what_does_not_exist_is_404()
    {
        Assert.That(Assert.ThrowsAsync<RequestFailedException>(() => _client.StartDeleteSecretAsync("never"))!.Status, Is.EqualTo(404));
        Assert.That(Assert.ThrowsAsync<RequestFailedException>(() => _client.PurgeDeletedSecretAsync("never"))!.Status, Is.EqualTo(404));
    }

    [Test]
    public async Task A_deleted_secret_is_purged_when_its_retention_ends()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var simulator = await KeyVaultSimulator.StartAsync(new KeyVaultSimulatorOptions { TimeProvider = time, RecoverableDays = 7 });
        var client = KeyVaultTestEnvironment.CreateClient(simulator.BaseUri);
        await client.SetSecretAsync("retained", "value");
        await client.StartDeleteSecretAsync("retained");

        time.Advance(TimeSpan.FromDays(7));

        Assert.That(simulator.DeletedSecretNames(), Is.Empty);
    }

    [Test]
    public async Task Lists_are_paged_with_nextLink_and_never_carry_values()
    {
        for (var i = 0; i < 30; i++)
        {
            await _client.SetSecretAsync($"listed-{i}", $"value-{i}");
        }

        _simulator.ClearRequests();
        var names = new List<string>();
        await foreach (var properties in _client.GetPropertiesOfSecretsAsync())
        {
            names.Add(properties.Name);
        }

        Assert.That(names, Has.Count.EqualTo(30).And.Unique);
        Assert.That(_simulator.Requests.Count(r => r.Path == "/secrets"), Is.EqualTo(2));

        using var http = CreateHttpClient();
        var page = await SendAsync(http, HttpMethod.Get, $"secrets?api-version={ApiVersion}&maxresults=25");
        using var body = JsonDocument.Parse(page.Body);
        var items = body.RootElement.GetProperty("value").EnumerateArray().ToList();
        Assert.That(items, Has.Count.EqualTo(25));
        Assert.That(items.Any(item => item.TryGetProperty("value", out _)), Is.False);
        Assert.That(page.Body, Does.Not.Contain("value-1"));
        Assert.That(body.RootElement.GetProperty("nextLink").GetString(), Does.StartWith(new Uri(_simulator.BaseUri, "secrets?").ToString()));
    }

    [TestCase("0")]
    [TestCase("26")]
    [TestCase("many")]
    public async Task Page_sizes_outside_1_to_25_are_refused(string maxResults)
    {
        using var http = CreateHttpClient();

        var response = await SendAsync(http, HttpMethod.Get, $"secrets?api-version={ApiVersion}&maxresults={maxResults}");

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.ErrorCode, Is.EqualTo("BadParameter"));
    }

    [Test]
    public async Task The_SDK_first_gets_the_challenge_then_repeats_the_request_with_a_token()
    {
        // The SDK caches challenges per process by authority; no other test uses "localhost", so this one starts uncached.
        var client = KeyVaultTestEnvironment.CreateClient(new UriBuilder(_simulator.BaseUri) { Host = "localhost" }.Uri);

        await client.SetSecretAsync("challenged", "value");

        var requests = _simulator.Requests;
        Assert.That(requests, Has.Count.EqualTo(2));
        Assert.That(requests[0], Is.EqualTo(new KeyVaultRequest("PUT", "/secrets/challenged", false, 401)));
        Assert.That(requests[1], Is.EqualTo(new KeyVaultRequest("PUT", "/secrets/challenged", true, 200)));
    }

    [Test]
    public async Task A_request_without_a_token_gets_the_documented_challenge()
    {
        using var http = CreateHttpClient();

        var response = await SendAsync(http, HttpMethod.Get, $"secrets/any?api-version={ApiVersion}", token: null);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.ErrorCode, Is.EqualTo("Unauthorized"));
        Assert.That(response.WwwAuthenticate, Does.Match(
            "^Bearer authorization=\"https://login\\.microsoftonline\\.com/[0-9a-f-]{36}\", resource=\"https://vault\\.azure\\.net\"$"));
    }

    [Test]
    public async Task A_token_for_another_audience_is_refused()
    {
        using var http = CreateHttpClient();
        var token = TokenFor("https://management.azure.com/.default", TimeProvider.System);

        var response = await SendAsync(http, HttpMethod.Get, $"secrets/any?api-version={ApiVersion}", token);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.WwwAuthenticate, Does.StartWith("Bearer authorization="));
    }

    [Test]
    public async Task An_expired_token_is_refused()
    {
        using var http = CreateHttpClient();
        var token = TokenFor("https://vault.azure.net/.default", new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-2)));

        var response = await SendAsync(http, HttpMethod.Get, $"secrets/any?api-version={ApiVersion}", token);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_token_for_Key_Vault_is_accepted()
    {
        using var http = CreateHttpClient();

        var response = await SendAsync(http, HttpMethod.Get, $"secrets/any?api-version={ApiVersion}");

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.ErrorCode, Is.EqualTo("SecretNotFound"));
    }

    [TestCase("secrets/any")]
    [TestCase("secrets/any?api-version=")]
    [TestCase("secrets/any?api-version=1.0")]
    [TestCase("secrets/any?api-version=7.4&api-version=7.5")]
    public async Task The_api_version_is_required_and_must_be_one_Key_Vault_serves(string pathAndQuery)
    {
        using var http = CreateHttpClient();

        var response = await SendAsync(http, HttpMethod.Get, pathAndQuery);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.ErrorCode, Is.EqualTo("BadParameter"));
    }

    [TestCase("text/plain", "{\"value\":\"v\"}")]
    [TestCase("application/json", "{\"value\":")]
    [TestCase("application/json", "{\"contentType\":\"text/plain\"}")]
    [TestCase("application/json", "{\"value\":42}")]
    [TestCase("application/json", "[\"v\"]")]
    [TestCase("application/json", "{\"value\":\"v\",\"attributes\":{\"enabled\":\"yes\"}}")]
    public async Task A_set_body_must_be_the_documented_json(string contentType, string body)
    {
        using var http = CreateHttpClient();

        var response = await SendAsync(http, HttpMethod.Put, $"secrets/shaped?api-version={ApiVersion}", content: new StringContent(body, Encoding.UTF8, contentType));

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.ErrorCode, Is.EqualTo("BadParameter"));
        Assert.That(_simulator.SecretNames(), Is.Empty);
    }

    [Test]
    public async Task Throttling_is_429_with_Retry_After_and_the_SDK_retries()
    {
        await _client.SetSecretAsync("warm", "value");
        _simulator.ClearRequests();
        _simulator.Faults.RateLimitNext(1, TimeSpan.Zero);

        await _client.SetSecretAsync("throttled", "value");

        Assert.That(_simulator.Requests.Select(r => r.StatusCode), Is.EqualTo(ThrottledOnceThenOk));
        using var http = CreateHttpClient();
        _simulator.Faults.RateLimitNext(1, TimeSpan.Zero);
        var response = await SendAsync(http, HttpMethod.Get, $"secrets/throttled?api-version={ApiVersion}");
        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(response.ErrorCode, Is.EqualTo("Throttled"));
        Assert.That(response.RetryAfter, Is.EqualTo("0"));
    }

    [Test]
    public async Task A_vault_that_is_down_drops_the_connection()
    {
        await _client.SetSecretAsync("warm", "value");
        _simulator.ClearRequests();
        _simulator.Faults.DropNext(SimulatorFaults.Always);

        // After its last retry the SDK reports every attempt's network failure together.
        var error = Assert.ThrowsAsync<AggregateException>(() => _client.GetSecretAsync("warm"))!;

        Assert.That(error.InnerExceptions, Has.All.TypeOf<RequestFailedException>().With.Property(nameof(RequestFailedException.Status)).Zero);
        Assert.That(_simulator.RequestCount, Is.EqualTo(KeyVaultTestEnvironment.MaxRetries + 1));
    }

    [Test]
    public async Task The_control_endpoints_list_names_steer_faults_and_reset()
    {
        await _client.SetSecretAsync("live", "value");
        await _client.SetSecretAsync("gone", "value");
        await _client.StartDeleteSecretAsync("gone");
        using var http = CreateHttpClient();

        var names = await http.GetStringAsync("_sim/keyvault/secrets");
        Assert.That(names, Is.EqualTo("{\"live\":[\"live\"],\"deleted\":[\"gone\"]}"));
        Assert.That(names, Does.Not.Contain("value"));

        var inject = await http.PostAsync("_sim/keyvault/faults", new StringContent("{\"kind\":\"fail\",\"status\":503,\"count\":1}", Encoding.UTF8, "application/json"));
        Assert.That(inject.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var misspelt = await http.PostAsync("_sim/keyvault/faults", new StringContent("{\"fault\":\"ServiceUnavailable\"}", Encoding.UTF8, "application/json"));
        Assert.That(misspelt.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var failed = await SendAsync(http, HttpMethod.Get, $"secrets/live?api-version={ApiVersion}");
        Assert.That(failed.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That((await SendAsync(http, HttpMethod.Get, $"secrets/live?api-version={ApiVersion}")).Status, Is.EqualTo(HttpStatusCode.OK));

        using var requests = JsonDocument.Parse(await http.GetStringAsync("_sim/keyvault/requests"));
        Assert.That(requests.RootElement.GetProperty("count").GetInt32(), Is.EqualTo(_simulator.RequestCount));

        Assert.That((await http.PostAsync("_sim/keyvault/reset", null)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(_simulator.SecretNames(), Is.Empty);
        Assert.That(_simulator.DeletedSecretNames(), Is.Empty);
    }

    private HttpClient CreateHttpClient() =>
        new(LoopbackCertificatePolicy.CreateHandler(trustLoopbackCertificates: true)) { BaseAddress = _simulator.BaseUri };

    private static string TokenFor(string scope, TimeProvider time) =>
        new SimulatorTokenCredential(time).GetToken(new TokenRequestContext([scope]), CancellationToken.None).Token;

    private sealed record WireResponse(HttpStatusCode Status, string Body, string? ErrorCode, string? WwwAuthenticate, string? RetryAfter);

    private static Task<WireResponse> SendAsync(HttpClient http, HttpMethod method, string pathAndQuery, HttpContent? content = null) =>
        SendAsync(http, method, pathAndQuery, TokenFor("https://vault.azure.net/.default", TimeProvider.System), content);

    private static async Task<WireResponse> SendAsync(HttpClient http, HttpMethod method, string pathAndQuery, string? token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        string? code = null;
        if (!response.IsSuccessStatusCode)
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            using var document = JsonDocument.Parse(body);
            var error = document.RootElement.GetProperty("error");
            Assert.That(error.GetProperty("message").GetString(), Is.Not.Empty);
            code = error.GetProperty("code").GetString();
        }

        return new WireResponse(
            response.StatusCode,
            body,
            code,
            response.Headers.WwwAuthenticate.ToString() is { Length: > 0 } challenge ? challenge : null,
            response.Headers.TryGetValues("Retry-After", out var retryAfter) ? retryAfter.Single() : null);
    }
}
