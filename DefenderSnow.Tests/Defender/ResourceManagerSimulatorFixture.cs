using DefenderSnow.Simulators.Defender;

namespace DefenderSnow.Tests.Defender;

/// <summary>One Resource Manager simulator per fixture, with a trusting HTTP client, reset before every test.</summary>
public abstract class ResourceManagerSimulatorFixture
{
    protected ResourceManagerSimulator Simulator { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartSimulatorAsync()
    {
        Simulator = await ResourceManagerSimulator.StartAsync();
        Http = Simulator.CreateTrustingClient();
    }

    [OneTimeTearDown]
    public async Task StopSimulatorAsync()
    {
        Http.Dispose();
        await Simulator.DisposeAsync();
    }

    /// <summary>Runs before the fixture's own set-up, which seeds on a clean state.</summary>
    [SetUp]
    public void ResetSimulator() => Simulator.State.Reset();
}
