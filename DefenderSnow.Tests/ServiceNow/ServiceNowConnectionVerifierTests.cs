using DefenderSnow.Core.Errors;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Simulators.ServiceNow;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.ServiceNow;

[TestFixture]
public sealed class ServiceNowConnectionVerifierTests
{
    private static readonly string[] InstanceUrl = ["instanceUrl"];
    private static readonly string[] SysUserIncidentProblemChangeRequest = ["sys_user", "incident", "problem", "change_request"];

    [Test]
    public async Task Good_credentials_yield_a_refresh_token_after_one_small_read_per_table()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();

        var verified = await env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(verified.RefreshToken, Is.Not.Empty);
            Assert.That(verified.ToString(), Does.Not.Contain(verified.RefreshToken));
            Assert.That(env.Simulator.TokenRequests("password"), Is.EqualTo(1));
            foreach (var table in SysUserIncidentProblemChangeRequest)
            {
                // sys_user once more: the calibration of query dates looks for the user's own record by its creation time.
                Assert.That(env.Simulator.RequestCount($"GET /api/now/table/{table}"), Is.EqualTo(table == "sys_user" ? 2 : 1), table);
            }
        });
    }

    [Test]
    public async Task Refused_credentials_are_a_rejection_with_ServiceNows_reason()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();

        var error = Assert.ThrowsAsync<ServiceNowRejectedException>(() =>
            env.Verifier.VerifyAsync(env.Credentials() with { Password = "not-the-password" }, CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.InstanceOf<UpstreamRejectedException>());
            Assert.That(error!.System, Is.EqualTo("ServiceNow"));
            Assert.That(error.Message, Does.Contain("access_denied").And.Not.Contain("not-the-password"));
            Assert.That(env.Simulator.RequestCount("GET /api/now/table/sys_user"), Is.Zero);
        });
    }

    [Test]
    public async Task A_table_the_user_cannot_read_is_named()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        env.Simulator.Deny(ServiceNowTestEnvironment.ServiceUser, "problem", ServiceNowTableOperation.Read);

        var error = Assert.ThrowsAsync<ServiceNowRejectedException>(() => env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.StartWith("ServiceNow refused to read table 'problem': "));
            Assert.That(error.Table, Is.EqualTo("problem"));
            Assert.That(error.StatusCode, Is.EqualTo(403));
        });
    }

    [Test]
    public async Task An_instance_that_keeps_failing_is_unreachable()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync(settings: new Dictionary<string, string?> { ["ServiceNow:MaxRetryAttempts"] = "1" });
        env.Simulator.Faults.FailNext(100, 503);

        Assert.ThrowsAsync<ServiceNowUnreachableException>(() => env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None));
        Assert.That(env.Simulator.RequestCount("POST /oauth_token.do"), Is.EqualTo(2), "token requests are retried like reads");
    }

    [TestCase("GET /api/now/table/sys_user")]
    [TestCase("GET /api/now/table/change_request")]
    public async Task Throttling_of_a_table_read_does_not_count_as_proven(string read)
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        // Longer than the pipeline waits for, so the 429 reaches the verifier.
        env.Simulator.Faults.RateLimitNext(10, TimeSpan.FromSeconds(600), read);

        var error = Assert.CatchAsync(() => env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.InstanceOf<ServiceNowUnreachableException>(), "throttling says nothing about the credentials either way");
            Assert.That(env.Simulator.RequestCount(read), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task An_instance_that_does_not_listen_is_unreachable()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync(settings: new Dictionary<string, string?> { ["ServiceNow:MaxRetryAttempts"] = "1" });
        var credentials = env.Credentials() with { InstanceUrl = new Uri($"https://127.0.0.1:{ServiceNowResilienceTests.ClosedPort()}/") };

        var error = Assert.ThrowsAsync<ServiceNowUnreachableException>(() => env.Verifier.VerifyAsync(credentials, CancellationToken.None));

        Assert.That(error, Is.InstanceOf<UpstreamUnreachableException>());
    }

    [Test]
    public async Task An_untrusted_certificate_is_unreachable()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync(settings: new Dictionary<string, string?> { ["LocalDevelopment:TrustLoopbackCertificates"] = "false" });

        var error = Assert.ThrowsAsync<ServiceNowUnreachableException>(() => env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("TLS"));
            Assert.That(env.Simulator.TotalRequests, Is.Zero);
        });
    }

    [Test]
    public async Task A_host_off_the_allow_list_is_refused_before_any_request()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync(settings: new Dictionary<string, string?> { ["ServiceNow:AllowPrivateAddresses"] = "false" });

        var error = Assert.ThrowsAsync<ValidationException>(() => env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Errors.Keys, Is.EqualTo(InstanceUrl));
            Assert.That(env.Simulator.TotalRequests, Is.Zero);
        });
    }

    [Test]
    public void Credentials_never_print_their_secrets()
    {
        var credentials = new ServiceNowCredentials(new Uri("https://contoso.service-now.com/"), "svc", "p@ssw0rd-value", "client", "secret-value");

        Assert.That(credentials.ToString(), Does.Not.Contain("p@ssw0rd-value").And.Not.Contain("secret-value").And.Contain("svc"));
    }
}
