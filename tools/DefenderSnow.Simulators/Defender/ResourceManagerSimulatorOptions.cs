using DefenderSnow.Simulators.Hosting;

namespace DefenderSnow.Simulators.Defender;

/// <summary>How a <see cref="ResourceManagerSimulator"/> is started.</summary>
public sealed record ResourceManagerSimulatorOptions : SimulatorOptions;
