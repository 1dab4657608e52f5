using DefenderSnow.Core.Defender;
using DefenderSnow.Simulators.Defender;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.Defender;

/// <summary>
/// The pacer against the simulator's real answers, through the client's whole pipeline (AddDefender): it learns each
/// remaining count from Resource Manager's own headers, so a header read under a wrong name shows as a pacer that
/// knows nothing and lets the request go that meets the 429. One frozen clock for both sides: the bucket does not
/// refill, so every count is exact.
/// </summary>
public sealed class ResourceManagerPacingTests
{
    private const int Capacity = 6;
    private const string Recommendation = "4fb67663-9ab9-475d-b026-8c544cced439";
    private const string Reads = "reads";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private ResourceManagerSimulator _simulator = null!;
    private ServiceProvider _services = null!;

    [OneTimeSetUp]
    public async Task StartSimulator() => _simulator = await ResourceManagerSimulator.StartAsync(new ResourceManagerSimulatorOptions { TimeProvider = _clock });

    [OneTimeTearDown]
    public async Task StopSimulator() => await _simulator.DisposeAsync();

    [SetUp]
    public void SetUp()
    {
        _simulator.State.Reset();
        _services = DefenderTestServices.Build(_simulator.BaseUri, timeProvider: _clock);
    }

    [TearDown]
    public async Task TearDown() => await _services.DisposeAsync();

    [Test]
    public async Task The_pacer_follows_the_remaining_reads_Resource_Manager_reports_and_holds_the_read_that_would_meet_a_429()
    {
        _simulator.State.Throttling.Configure(ThrottledRequestKind.Read, Capacity, refillPerSecond: 0.001);
        var subscription = Guid.NewGuid().ToString("D");
        var resourceId = $"/subscriptions/{subscription}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
        _simulator.State.SeedAssessment(new SimulatedAssessment(resourceId, Recommendation, SimulatedAssessmentStatus.Unhealthy));
        var client = _services.GetRequiredService<IDefenderClient>();
        var pacer = _services.GetRequiredService<SubscriptionPacer>();

        var known = new List<double?>();
        for (var read = 1; read <= Capacity; read++)
        {
            Assert.That(pacer.TakeTurn(subscription, Reads), Is.EqualTo(TimeSpan.Zero), $"read {read}: tokens are left, so it goes at once");
            Assert.That(await client.GetAssessmentAsync(resourceId, Recommendation, CancellationToken.None), Is.Not.Null);
            known.Add(pacer.KnownRemaining(subscription, Reads));
        }

        var next = pacer.TakeTurn(subscription, Reads);
        if (next > TimeSpan.Zero)
        {
            pacer.TurnCame(subscription, Reads);
        }

        Assert.Multiple(() =>
        {
            Assert.That(_simulator.State.RequestCount(ResourceManagerOperations.GetAssessment), Is.EqualTo(Capacity), "one request per read");
            Assert.That(_simulator.State.Throttling.ThrottledCount, Is.Zero);
            Assert.That(known, Is.EqualTo(Enumerable.Range(0, Capacity).Reverse().Select(n => (double?)n)), "the remaining count of each answer, as the simulator's bucket held it");
            Assert.That(next, Is.GreaterThan(TimeSpan.Zero), "the bucket is empty: the next read waits for the refill instead of being sent into a 429");
        });
    }
}
