using System.Runtime.InteropServices;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.KeyVault;
using DefenderSnow.Simulators.LocalRun;
using DefenderSnow.Simulators.ServiceNow;

// Runs the three simulators on fixed loopback ports for a local run of the app (local.settings.sample.json
// points at these ports). Ctrl+C or SIGTERM stops them. Ports: SIM_SERVICENOW_PORT, SIM_ARM_PORT, SIM_KEYVAULT_PORT.
static int Port(string variable, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(variable), out var port) ? port : fallback;

// The program, not the three web hosts inside it, owns the process's signals (the hosts have no console
// lifetime): SIGINT, SIGTERM and SIGQUIT all end the wait below, and the hosts are then stopped and their
// ports released before the process exits. The registrations live until the end of the program, so no
// signal ever reaches a disposed token.
var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);

await using var serviceNow = await ServiceNowSimulator.StartAsync(new ServiceNowSimulatorOptions { Port = Port("SIM_SERVICENOW_PORT", 7443) });
await using var resourceManager = await ResourceManagerSimulator.StartAsync(new ResourceManagerSimulatorOptions { Port = Port("SIM_ARM_PORT", 7444) });
await using var keyVault = await KeyVaultSimulator.StartAsync(new KeyVaultSimulatorOptions { Port = Port("SIM_KEYVAULT_PORT", 7445) });
LocalDemoData.Seed(serviceNow, resourceManager.State);

Console.WriteLine($"""
    DefenderSnow simulators are running (Ctrl+C stops them).
      ServiceNow       {serviceNow.BaseUri}   OAuth client {LocalDemoData.ClientId} / {LocalDemoData.ClientSecret}, user {LocalDemoData.ServiceUser} / {LocalDemoData.ServicePassword}, users alice and bob
      Resource Manager {resourceManager.BaseUri}   subscription {LocalDemoData.SubscriptionId}, unhealthy: {LocalDemoData.ResourceId}
      Key Vault        {keyVault.BaseUri}
    """);

await stop.Task;
Console.WriteLine("Stopping the simulators.");
