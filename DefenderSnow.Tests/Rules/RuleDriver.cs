using DefenderSnow.Core.Assignments;
using DefenderSnow.Functions.Rules;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.Rules;

/// <summary>
/// Rules through their functions, on an <see cref="IntegrationHarness"/> and its <see cref="SyncDriver"/>; builds rule
/// bodies and seeds findings. Every test makes its own subscription and integration: the findings reader reads a
/// whole subscription, so tests must not share one.
/// </summary>
public sealed class RuleDriver(IntegrationHarness harness, SyncDriver sync)
{
    public const string Vm = "Microsoft.Compute/virtualMachines";
    public const string Storage = "Microsoft.Storage/storageAccounts";

    public RuleFunctions Rules { get; } = harness.App.Function<RuleFunctions>();

    private TestApp App => harness.App;

    public static string NewSubscription() => "/subscriptions/" + Guid.NewGuid().ToString("D");

    /// <summary>A recommendation with metadata, so rules may name it and assignments can be composed.</summary>
    public string NewRecommendation(SimulatedSeverity severity = SimulatedSeverity.High, string displayName = "Machines should have endpoint protection")
    {
        var name = Guid.NewGuid().ToString("D");
        App.ResourceManager.State.SeedMetadata(new SimulatedAssessmentMetadata(name, displayName, severity));
        return name;
    }

    /// <summary>A resource of <paramref name="subscription"/> with an assessment of <paramref name="recommendation"/>; returns its id.</summary>
    public string SeedFinding(
        string subscription,
        string recommendation,
        SimulatedAssessmentStatus status = SimulatedAssessmentStatus.Unhealthy,
        string type = Vm,
        string resourceGroup = "rg-rules",
        IReadOnlyDictionary<string, string>? tags = null,
        string? resourceId = null)
    {
        resourceId ??= $"{subscription}/resourceGroups/{resourceGroup}/providers/{type}/res-{Guid.NewGuid():N}";
        App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resourceId, recommendation, status));
        if (tags is not null)
        {
            App.ResourceManager.State.SetTags(resourceId, tags);
        }

        return resourceId;
    }

    public static Dictionary<string, object?> RuleBody(
        string? recommendation = null, Dictionary<string, object?>? conditions = null, Dictionary<string, object?>? owner = null, int priority = 10) => new()
        {
            ["name"] = "Rule " + Guid.NewGuid().ToString("N")[..6],
            ["priority"] = priority,
            ["conditions"] = conditions ?? (recommendation is null ? null : new Dictionary<string, object?> { ["assessmentNames"] = new[] { recommendation } }),
            ["ticketType"] = "incident",
            ["owner"] = owner ?? new Dictionary<string, object?> { ["source"] = "user", ["user"] = SyncDriver.OwnerAEmail },
            ["caller"] = SyncDriver.OwnerA,
            ["remediationTimeframeDays"] = 30,
            ["gracePeriod"] = true,
            ["emailNotifications"] = new Dictionary<string, object?> { ["notifyOwner"] = true, ["notifyManager"] = true },
        };

    public Task<FunctionResponse> CreateRuleAsync(string integrationId, object body) =>
        harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("POST", $"/api/integrations/{integrationId}/rules", body as string ?? FunctionCall.Json(body)),
            r => Rules.Create(r, integrationId, CancellationToken.None)));

    public async Task<string> CreateRuleIdAsync(string integrationId, object body)
    {
        var created = await CreateRuleAsync(integrationId, body);
        Assert.That(created.Status, Is.EqualTo(201), created.ToString());
        return created.Json["id"]!.GetValue<string>();
    }

    public Task<FunctionResponse> GetRuleAsync(string integrationId, string ruleId) =>
        harness.Record(FunctionCall.InvokeAsync(FunctionCall.Request("GET", $"/api/integrations/{integrationId}/rules/{ruleId}"), r => Rules.Get(r, integrationId, ruleId, CancellationToken.None)));

    public Task<FunctionResponse> ListRulesAsync(string integrationId, string query = "") =>
        harness.Record(FunctionCall.InvokeAsync(FunctionCall.Request("GET", $"/api/integrations/{integrationId}/rules{query}"), r => Rules.List(r, integrationId, CancellationToken.None)));

    public Task<FunctionResponse> UpdateRuleAsync(string integrationId, string ruleId, object body) =>
        harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("PATCH", $"/api/integrations/{integrationId}/rules/{ruleId}", FunctionCall.Json(body)),
            r => Rules.Update(r, integrationId, ruleId, CancellationToken.None)));

    public Task<FunctionResponse> DeleteRuleAsync(string integrationId, string ruleId) =>
        harness.Record(FunctionCall.InvokeAsync(FunctionCall.Request("DELETE", $"/api/integrations/{integrationId}/rules/{ruleId}"), r => Rules.Delete(r, integrationId, ruleId, CancellationToken.None)));

    public Task<FunctionResponse> EvaluateAsync(string integrationId, string ruleId, string query = "", object? body = null) =>
        harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("POST", $"/api/integrations/{integrationId}/rules/{ruleId}:evaluate{query}", body is null ? null : FunctionCall.Json(body)),
            r => Rules.Evaluate(r, integrationId, ruleId, CancellationToken.None)));

    /// <summary>Evaluates for real and checks the answer's counts.</summary>
    public async Task<System.Text.Json.Nodes.JsonNode> EvaluateExpectingAsync(string integrationId, string ruleId, int opened, int waiting)
    {
        var response = await EvaluateAsync(integrationId, ruleId);
        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        Assert.That((response.Json["opened"]!.GetValue<int>(), response.Json["waiting"]!.GetValue<int>()), Is.EqualTo((opened, waiting)), response.ToString());
        Assert.That(response.Json["errors"]!.AsArray(), Is.Empty, response.ToString());
        return response.Json;
    }

    /// <summary>Every assignment of the integration, as stored.</summary>
    public async Task<List<Assignment>> StoredAssignmentsAsync(string integrationId)
    {
        var all = new List<Assignment>();
        await foreach (var live in App.Get<IAssignmentStore>().ListLiveAsync(integrationId, CancellationToken.None))
        {
            all.Add(live.Value);
        }

        await foreach (var closed in App.Get<IAssignmentStore>().ListClosedAsync(integrationId, CancellationToken.None))
        {
            all.Add(closed);
        }

        return all;
    }

    /// <summary>
    /// The three systems agree on an assignment a rule opened: stored active with the rule's id, one ticket carrying its
    /// id assigned to the owner, and the governance assignment with the owner, the rule's grace period and notifications.
    /// </summary>
    public void AssertOpenedEverywhere(Assignment stored, string ruleId, string ownerEmail, string ownerSysId)
    {
        Assert.That((stored.Status, stored.RuleId, stored.AssignedTo), Is.EqualTo((AssignmentStatus.Active, (string?)ruleId, ownerEmail)), stored.ResourceId);
        var tickets = App.ServiceNow.ListTickets(stored.Ticket.Table).Where(t => t["correlation_id"] == stored.Id).ToList();
        Assert.That(tickets, Has.Count.EqualTo(1), "tickets carrying the assignment's id");
        Assert.That((tickets[0]["number"], tickets[0]["assigned_to"]), Is.EqualTo((stored.Ticket.Number, ownerSysId)));
        var governance = sync.Governance(stored);
        Assert.That(governance, Is.Not.Null, "governance assignment");
        Assert.That((governance!.Owner, governance.IsGracePeriod), Is.EqualTo(((string?)ownerEmail, (bool?)true)));
        Assert.That(governance.RemediationDueDate, Is.EqualTo(stored.DueDate).Within(TimeSpan.FromSeconds(1)));
    }
}
