using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Simulators.Defender;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.Defender;

/// <summary>Resource Manager's <c>Retry-After</c> is waited out exactly, on the app's clock, up to the configured cap.</summary>
public sealed class ResourceManagerRetryAfterTests
{
    private const string ResourceId = "/subscriptions/55555555-5555-5555-5555-555555555555/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
    private const string Recommendation = "aaaaaaaa-1111-4111-8111-000000000002";
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(45);

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

    [Test]
    public async Task A_throttled_call_waits_the_retry_after_delay_then_succeeds()
    {
        var clock = new TimerWatchingClock(DateTimeOffset.UtcNow, RetryAfter);
        using var services = DefenderTestServices.Build(_simulator.BaseUri, timeProvider: clock);
        _simulator.State.InjectFault(new SimulatedFault(429) { RetryAfter = RetryAfter, Operation = ResourceManagerOperations.GetAssessment });

        // Cancelled at the end whatever happens, so a wait on the fake clock never outlives the test.
        using var end = new CancellationTokenSource();
        var call = services.GetRequiredService<IDefenderClient>().GetAssessmentAsync(ResourceId, Recommendation, end.Token);
        try
        {
            // The retry's wait is a timer of exactly Retry-After on the app's clock (the default back-off here is 10 ms).
            await clock.Watched.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.That(call.IsCompleted, Is.False, "the retry waits for the clock");
            Assert.That(_simulator.State.RequestCount(ResourceManagerOperations.GetAssessment), Is.EqualTo(1));
            clock.Advance(RetryAfter);
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
        _simulator.State.InjectFault(new SimulatedFault(429) { RetryAfter = RetryAfter, Operation = ResourceManagerOperations.GetAssessment });

        Assert.ThrowsAsync<UpstreamUnreachableException>(() =>
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
}
