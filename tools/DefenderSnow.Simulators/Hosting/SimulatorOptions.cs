namespace DefenderSnow.Simulators.Hosting;

/// <summary>
/// What every simulator is started with; each simulator's own options record derives from this one, so a
/// test starts any of the three the same way: <c>XSimulator.StartAsync(new XSimulatorOptions { … })</c>.
/// </summary>
public abstract record SimulatorOptions
{
    /// <summary>The port on 127.0.0.1; 0 picks a free one (tests), a fixed one is for local runs.</summary>
    public int Port { get; init; }

    /// <summary>The clock for token lifetimes, time stamps and <c>Retry-After</c> resets; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
