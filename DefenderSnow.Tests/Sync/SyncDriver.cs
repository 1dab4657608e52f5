using Azure.Storage.Queues.Models;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Storage;
using DefenderSnow.Functions.Sync;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// Sync through the functions of an <see cref="IntegrationHarness"/>: RunSync over HTTP, then the sync-integrations
/// messages read from Azurite and handed to SyncIntegration as the host would. Seeds two ticket owners with e-mails
/// and one without; its <see cref="Assignments"/> are made for owner A through CreateAssignment.
/// </summary>
public sealed class SyncDriver
{
    public const string OwnerA = "owner.a";
    public const string OwnerB = "owner.b";
    public const string NoEmailUser = "no.email";
    public const string OwnerAEmail = "owner.a@contoso.example";
    public const string OwnerBEmail = "owner.b@contoso.example";

    private readonly IntegrationHarness _harness;

    public SyncDriver(IntegrationHarness harness)
    {
        _harness = harness;
        Sync = App.Function<SyncFunctions>();
        Assignments = new LiveAssignments(harness, OwnerAEmail, OwnerA);
        OwnerASysId = App.ServiceNow.SeedUser(new ServiceNowSimulatorUser(OwnerA, OwnerAEmail, "Owner A"));
        OwnerBSysId = App.ServiceNow.SeedUser(new ServiceNowSimulatorUser(OwnerB, OwnerBEmail, "Owner B"));
        NoEmailSysId = App.ServiceNow.SeedUser(new ServiceNowSimulatorUser(NoEmailUser, null, "No Email"));
    }

    private TestApp App => _harness.App;

    public SyncFunctions Sync { get; }

    public LiveAssignments Assignments { get; }

    public string OwnerASysId { get; }

    public string OwnerBSysId { get; }

    public string NoEmailSysId { get; }

    /// <summary>
    /// Sync tests look at Defender's findings in every run (the clock does not move between their runs);
    /// SyncRequestCountTests keeps the default cadence and checks it. Their integrations hold a handful of assignments, of
    /// which one deleted ticket is already past the mass-closure share, so the guard is off here;
    /// DeletionProofTests keeps the default share and holds the guard.
    /// </summary>
    public static void AdjustSettings(Dictionary<string, string?> settings)
    {
        settings["FindingsCheckEvery"] = "00:00:00";
        settings["MassClosureLimitPercent"] = "100";
    }

    /// <summary>A live assignment made through CreateAssignment, as a user would, for a new unhealthy resource.</summary>
    public Task<Assignment> CreateLiveAssignmentAsync(string integrationId, string table = "incident") => Assignments.CreateAsync(integrationId, table);

    public Task<FunctionResponse> RunSyncAsync(object? body = null) =>
        _harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("POST", "/api/sync", body is null ? null : FunctionCall.Json(body)),
            r => Sync.Run(r, CancellationToken.None)));

    public Task<FunctionResponse> GetRunAsync(string runId) =>
        _harness.Record(FunctionCall.InvokeAsync(FunctionCall.Request("GET", $"/api/sync/runs/{runId}"), r => Sync.Get(r, runId, CancellationToken.None)));

    public Task<FunctionResponse> ListRunsAsync(string query = "") =>
        _harness.Record(FunctionCall.InvokeAsync(FunctionCall.Request("GET", "/api/sync/runs" + query), r => Sync.List(r, CancellationToken.None)));

    public Task<int> DeliverSyncMessagesAsync(Func<QueueMessage, Task>? around = null) =>
        App.Queues.DrainAsync(WorkQueue.SyncIntegrations, around ?? (m => Sync.SyncIntegration(m, CancellationToken.None)));

    /// <summary>Starts a run for one integration through RunSync, delivers its messages, and returns the finished run.</summary>
    public async Task<System.Text.Json.Nodes.JsonNode> SyncAsync(string integrationId, bool full = false)
    {
        var started = await RunSyncAsync(new { integrationId, full });
        Assert.That(started.Status, Is.EqualTo(202), started.ToString());
        await DeliverSyncMessagesAsync();
        var run = await GetRunAsync(started.Json["runId"]!.GetValue<string>());
        Assert.That(run.Status, Is.EqualTo(200), run.ToString());
        return run.Json;
    }

    public async Task<Assignment> StoredAsync(Assignment assignment) =>
        (await App.Get<IAssignmentStore>().GetAsync(assignment.IntegrationId, assignment.Id, CancellationToken.None))!.Value;

    public StoredGovernanceAssignment? Governance(Assignment assignment) =>
        App.ResourceManager.State.FindGovernanceAssignment(assignment.ResourceId, assignment.AssessmentName, assignment.Id);
}
