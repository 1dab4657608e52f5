using DefenderSnow.Simulators.Defender;

namespace DefenderSnow.Simulators.LocalRun;

/// <summary>
/// What a newcomer's local run starts with: one subscription under one management group, and one
/// recommendation that is unhealthy on one virtual machine, so an assignment can be tried at once.
/// </summary>
public static class LocalDemoData
{
    public const string ManagementGroup = "contoso-root";
    public const string SubscriptionId = "00000000-0000-0000-0000-000000000001";
    public const string AssessmentName = "4fb67663-9ab9-475d-b026-8c544cced439";
    public const string ResourceId = "/subscriptions/" + SubscriptionId + "/resourceGroups/rg-demo/providers/Microsoft.Compute/virtualMachines/vm-demo";

    public static void Seed(ResourceManagerState state)
    {
        state.AddManagementGroup(new SimulatedManagementGroup(ManagementGroup, Parent: null, DisplayName: "Contoso"));
        state.AddSubscription(new SimulatedSubscription(SubscriptionId, ManagementGroup, "Contoso Demo"));
        state.SeedMetadata(new SimulatedAssessmentMetadata(AssessmentName, "Machines should have vulnerability findings resolved", SimulatedSeverity.High)
        {
            Description = "Vulnerability assessment found weaknesses on the machine.",
            RemediationDescription = "<p>Review and remediate the findings.</p>",
        });
        state.SeedAssessment(new SimulatedAssessment(ResourceId, AssessmentName, SimulatedAssessmentStatus.Unhealthy));
    }
}
