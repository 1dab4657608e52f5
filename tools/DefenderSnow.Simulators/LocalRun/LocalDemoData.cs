using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.ServiceNow;

namespace DefenderSnow.Simulators.LocalRun;

/// <summary>
/// What a newcomer's local run starts with: one subscription under one management group, one recommendation
/// that is unhealthy on one virtual machine, and a ServiceNow instance with an OAuth client, a service user, a
/// ticket owner, a caller and a group, so the README's walkthrough works at once. The simulators program and
/// the walkthrough test both seed through here, so the README cannot drift from what the program serves.
/// </summary>
public static class LocalDemoData
{
    public const string ManagementGroup = "contoso-root";
    public const string SubscriptionId = "00000000-0000-0000-0000-000000000001";
    public const string AssessmentName = "4fb67663-9ab9-475d-b026-8c544cced439";
    public const string ResourceId = "/subscriptions/" + SubscriptionId + "/resourceGroups/rg-demo/providers/Microsoft.Compute/virtualMachines/vm-demo";
    public const string ClientId = "local-client";
    public const string ClientSecret = "local-secret";
    public const string ServiceUser = "svc-defender";
    public const string ServicePassword = "local-password";

    public static void Seed(ServiceNowSimulator serviceNow, ResourceManagerState resourceManager)
    {
        ArgumentNullException.ThrowIfNull(serviceNow);
        ArgumentNullException.ThrowIfNull(resourceManager);
        serviceNow.RegisterOAuthClient(ClientId, ClientSecret);
        serviceNow.SeedUser(new ServiceNowSimulatorUser(ServiceUser, "svc-defender@contoso.example", "DefenderSnow Service", Password: ServicePassword));
        serviceNow.SeedUser(new ServiceNowSimulatorUser("alice", "alice@contoso.example", "Alice Owner"));
        serviceNow.SeedUser(new ServiceNowSimulatorUser("bob", "bob@contoso.example", "Bob Caller"));
        serviceNow.SeedGroup("Security Operations");

        resourceManager.AddManagementGroup(new SimulatedManagementGroup(ManagementGroup, Parent: null, DisplayName: "Contoso"));
        resourceManager.AddSubscription(new SimulatedSubscription(SubscriptionId, ManagementGroup, "Contoso Demo"));
        resourceManager.SeedMetadata(new SimulatedAssessmentMetadata(AssessmentName, "Machines should have vulnerability findings resolved", SimulatedSeverity.High)
        {
            Description = "Vulnerability assessment found weaknesses on the machine.",
            RemediationDescription = "<p>Review and remediate the findings.</p>",
        });
        resourceManager.SeedAssessment(new SimulatedAssessment(ResourceId, AssessmentName, SimulatedAssessmentStatus.Unhealthy));
    }
}
