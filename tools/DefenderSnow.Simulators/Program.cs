using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.KeyVault;
using DefenderSnow.Simulators.LocalRun;
using DefenderSnow.Simulators.ServiceNow;

// Runs the three simulators on fixed loopback ports for a local run of the app (local.settings.sample.json
// points at these ports). Ctrl+C stops them. Ports: SIM_SERVICENOW_PORT, SIM_ARM_PORT, SIM_KEYVAULT_PORT.
static int Port(string variable, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(variable), out var port) ? port : fallback;

await using var serviceNow = await ServiceNowSimulator.StartAsync(new ServiceNowSimulatorOptions { Port = Port("SIM_SERVICENOW_PORT", 7443), SeedLocalDefaults = true });
await using var resourceManager = await ResourceManagerSimulator.StartAsync(Port("SIM_ARM_PORT", 7444));
await using var keyVault = await KeyVaultSimulator.StartAsync(new KeyVaultSimulatorOptions { Port = Port("SIM_KEYVAULT_PORT", 7445) });
LocalDemoData.Seed(resourceManager.State);

Console.WriteLine($"""
    DefenderSnow simulators are running (Ctrl+C stops them).
      ServiceNow       {serviceNow.BaseUri}   OAuth client local-client / local-secret, user svc-defender / local-password
      Resource Manager {resourceManager.BaseUri}   subscription {LocalDemoData.SubscriptionId}, unhealthy: {LocalDemoData.ResourceId}
      Key Vault        {keyVault.BaseUri}
    """);

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Stopping is the normal way out.
}
