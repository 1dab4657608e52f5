namespace DefenderSnow.Core.Health;

/// <summary>Checks that one dependency answers. Implementations never throw for an unhealthy dependency.</summary>
public interface IHealthProbe
{
    /// <summary>A short name for logs, for example "KeyVault".</summary>
    string Name { get; }

    /// <summary><c>true</c> when the dependency answered in a way that proves it is usable.</summary>
    Task<bool> CheckAsync(CancellationToken cancellationToken);
}
