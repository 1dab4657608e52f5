using Azure.Storage.Queues.Models;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Functions.Assignments;
using DefenderSnow.Functions.Sync;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>Kept only until its children compose <see cref="SyncDriver"/> themselves; every member delegates to it.</summary>
public abstract class SyncTestBase : IntegrationFunctionTestBase
{
    protected const string OwnerA = SyncDriver.OwnerA;
    protected const string OwnerB = SyncDriver.OwnerB;
    protected const string NoEmailUser = SyncDriver.NoEmailUser;
    protected const string OwnerAEmail = SyncDriver.OwnerAEmail;
    protected const string OwnerBEmail = SyncDriver.OwnerBEmail;

    protected SyncDriver Driver { get; private set; } = null!;

    protected SyncFunctions Sync => Driver.Sync;

    protected AssignmentFunctions AssignmentFunctions => Driver.AssignmentFunctions;

    protected LiveAssignments Assignments => Driver.Assignments;

    protected string OwnerASysId => Driver.OwnerASysId;

    protected string OwnerBSysId => Driver.OwnerBSysId;

    protected string NoEmailSysId => Driver.NoEmailSysId;

    protected override void AdjustSettings(Dictionary<string, string?> settings)
    {
        base.AdjustSettings(settings);
        SyncDriver.AdjustSettings(settings);
    }

    [OneTimeSetUp]
    public void StartSync() => Driver = new SyncDriver(Harness);

    protected Task<Assignment> CreateLiveAssignmentAsync(string integrationId, string table = "incident") => Driver.CreateLiveAssignmentAsync(integrationId, table);

    protected Task<FunctionResponse> RunSyncAsync(object? body = null) => Driver.RunSyncAsync(body);

    protected Task<FunctionResponse> GetRunAsync(string runId) => Driver.GetRunAsync(runId);

    protected Task<FunctionResponse> ListRunsAsync(string query = "") => Driver.ListRunsAsync(query);

    protected Task<int> DeliverSyncMessagesAsync(Func<QueueMessage, Task>? around = null) => Driver.DeliverSyncMessagesAsync(around);

    protected Task<System.Text.Json.Nodes.JsonNode> SyncAsync(string integrationId, bool full = false) => Driver.SyncAsync(integrationId, full);

    protected Task<Assignment> StoredAsync(Assignment assignment) => Driver.StoredAsync(assignment);

    protected DefenderSnow.Simulators.Defender.StoredGovernanceAssignment? Governance(Assignment assignment) => Driver.Governance(assignment);
}
