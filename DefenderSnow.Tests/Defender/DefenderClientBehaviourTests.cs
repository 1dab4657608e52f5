using Azure.Core;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Simulators.Defender;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.Defender;

/// <summary>What the client does around the calls: settings, tokens, links it follows, throttling, cancellation.</summary>
public class DefenderClientBehaviourTests
{
    private static readonly string[] ManagementScope = ["https://management.azure.com/.default"];

    private const string Subscription = "44444444-4444-4444-4444-444444444444";
    private const string ResourceId = $"/subscriptions/{Subscription}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1";
    private const string Recommendation = "aaaaaaaa-1111-4111-8111-000000000001";
    private static readonly TimeSpan RetryAfterDelay = TimeSpan.FromSeconds(45);

    private ResourceManagerSimulator _simulator = null!;

    [OneTimeSetUp]
    public async Task StartSimulator() => _simulator = await ResourceManagerSimulator.StartAsync();

    [OneTimeTearDown]
    public async Task StopSimulator() => await _simulator.DisposeAsync();

    [SetUp]
    public void SetUp()
    {
        _simulator.State.Reset();
        _simulator.State.SeedAssessment(new SimulatedAssessment(ResourceId, Recommendation, SimulatedAssessmentStatus.Unhealthy));
    }

    [TestCase("Defender:Endpoint", "http://management.azure.com")]
    [TestCase("Defender:Endpoint", "management.azure.com")]
    [TestCase("Defender:Endpoint", "https://management.azure.com/?x=1")]
    [TestCase("Defender:Audience", "not a uri")]
    [TestCase("Defender:MaxRetryAttempts", "11")]
    [TestCase("Defender:AttemptTimeout", "00:00:00")]
    [TestCase("Defender:TotalTimeout", "00:00:05")]
    [TestCase("Defender:MaxRetryAfter", "00:20:00")]
    public void A_malformed_setting_fails_with_its_name(string setting, string value)
    {
        using var services = DefenderTestServices.Build(_simulator.BaseUri, new Dictionary<string, string?> { [setting] = value });

        var error = Assert.Throws<OptionsValidationException>(() => _ = services.GetRequiredService<IOptions<DefenderOptions>>().Value);

        Assert.That(error!.Message, Does.Contain(setting));
    }

    [Test]
    public void The_defaults_are_the_public_cloud()
    {
        var options = new DefenderOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.Endpoint, Is.EqualTo("https://management.azure.com"));
            Assert.That(options.Audience, Is.EqualTo("https://management.azure.com"));
            Assert.That(new DefenderOptionsValidation().Validate(null, options).Succeeded, Is.True);
        });
    }

    [Test]
    public async Task One_token_serves_many_calls_and_is_asked_for_the_audiences_default_scope()
    {
        var credential = new CountingCredential(new SimulatorTokenCredential(TimeProvider.System));
        using var services = DefenderTestServices.Build(_simulator.BaseUri, credential: credential);
        var client = services.GetRequiredService<IDefenderClient>();

        for (var i = 0; i < 3; i++)
        {
            await client.GetAssessmentAsync(ResourceId, Recommendation, CancellationToken.None);
        }

        Assert.Multiple(() =>
        {
            Assert.That(credential.Calls, Is.EqualTo(1));
            Assert.That(credential.LastScopes, Is.EqualTo(ManagementScope));
        });
    }

    [Test]
    public void A_caller_that_cancels_gets_a_cancellation_not_an_outage()
    {
        using var services = DefenderTestServices.Build(_simulator.BaseUri);
        _simulator.Faults.Latency = TimeSpan.FromSeconds(5);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        Assert.CatchAsync<OperationCanceledException>(() =>
            services.GetRequiredService<IDefenderClient>().GetAssessmentAsync(ResourceId, Recommendation, cancellation.Token));
    }

    [Test]
    public void A_credential_that_cannot_issue_a_token_makes_resource_manager_unreachable_without_a_request()
    {
        using var services = DefenderTestServices.Build(_simulator.BaseUri, credential: new FailingCredential());

        var error = Assert.ThrowsAsync<ResourceManagerUnreachableException>(() =>
            services.GetRequiredService<IDefenderClient>().GetAssessmentAsync(ResourceId, Recommendation, CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.System, Is.EqualTo("Resource Manager"));
            Assert.That(error.Message, Does.Contain("access token for Resource Manager"));
            // The credential's own reason is for the log (as for Key Vault), not for API callers.
            Assert.That(error.Message, Does.Not.Contain("managed identity endpoint"));
            Assert.That(_simulator.State.RequestCounts, Is.Empty);
        });
    }

    [Test]
    public async Task A_throttled_call_waits_the_retry_after_delay_then_succeeds()
    {
        var clock = new TimerWatchingClock(DateTimeOffset.UtcNow, RetryAfterDelay);
        using var services = DefenderTestServices.Build(_simulator.BaseUri, timeProvider: clock);
        _simulator.Faults.RateLimitNext(1, RetryAfterDelay, ResourceManagerOperations.GetAssessment);

        // Cancelled at the end whatever happens, so a wait on the fake clock never outlives the test.
        using var end = new CancellationTokenSource();
        var call = services.GetRequiredService<IDefenderClient>().GetAssessmentAsync(ResourceId, Recommendation, end.Token);
        try
        {
            // The retry's wait is a timer of exactly Retry-After on the app's clock (the default back-off here is 10 ms).
            await clock.Watched.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.That(call.IsCompleted, Is.False, "the retry waits for the clock");
            Assert.That(_simulator.State.RequestCount(ResourceManagerOperations.GetAssessment), Is.EqualTo(1));
            clock.Advance(RetryAfterDelay);
            var assessment = await call.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.That(assessment, Is.Not.Null);
            Assert.That(_simulator.State.RequestCount(ResourceManagerOperations.GetAssessment), Is.EqualTo(2));
        }
        finally
        {
            await end.CancelAsync();
            await Task.WhenAny(call);
        }
    }

    [Test]
    public void A_retry_after_beyond_the_configured_cap_is_reported_at_once()
    {
        using var services = DefenderTestServices.Build(_simulator.BaseUri, new Dictionary<string, string?> { ["Defender:MaxRetryAfter"] = "00:00:30" });
        _simulator.Faults.RateLimitNext(1, RetryAfterDelay, ResourceManagerOperations.GetAssessment);

        Assert.ThrowsAsync<ResourceManagerUnreachableException>(() =>
            services.GetRequiredService<IDefenderClient>().GetAssessmentAsync(ResourceId, Recommendation, CancellationToken.None));
        Assert.That(_simulator.State.RequestCount(ResourceManagerOperations.GetAssessment), Is.EqualTo(1));
    }

    /// <summary>A fake clock that tells when a timer of the watched length is started.</summary>
    private sealed class TimerWatchingClock(DateTimeOffset start, TimeSpan watched) : FakeTimeProvider(start)
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Watched => _started.Task;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime == watched)
            {
                _started.TrySetResult();
            }

            return timer;
        }
    }

    private sealed class CountingCredential(TokenCredential inner) : TokenCredential
    {
        public int Calls { get; private set; }

        public string[] LastScopes { get; private set; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Calls++;
            LastScopes = requestContext.Scopes;
            return inner.GetToken(requestContext, cancellationToken);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    private sealed class FailingCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new Azure.Identity.CredentialUnavailableException("No managed identity endpoint found.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromException<AccessToken>(new Azure.Identity.CredentialUnavailableException("No managed identity endpoint found."));
    }
}
