using System.Text.Json.Nodes;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Functions.Assignments;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Assignments;

/// <summary>
/// The Assignments functions of the real host on an <see cref="IntegrationHarness"/> (integrations are created through
/// their own function), with the owner, caller, group and recommendation an assignment names seeded. The app's clock
/// is a <see cref="WallClock"/> that starts at the real time, so simulators that check token expiry agree with it.
/// Start both with <see cref="StartAsync"/>; the test class implements <see cref="IUsesHarness"/> with <c>_harness</c> for the harness's lifecycle.
/// </summary>
public sealed class AssignmentDriver
{
    public const string Assessment = "4fb67663-9ab9-475d-b026-8c544cced439";
    public const string RecommendationName = "Machines should have vulnerability findings resolved";
    public const string Owner = "alice";
    public const string OwnerEmail = "alice@contoso.example";
    public const string Opener = "bob";
    public const string OpenerEmail = "bob@contoso.example";
    public const string Group = "Security Operations";

    private static readonly string[] IncidentProblemChangeRequest = ["incident", "problem", "change_request"];

    private AssignmentDriver(IntegrationHarness harness, WallClock clock)
    {
        Harness = harness;
        Clock = clock;
        Functions = App.Function<AssignmentFunctions>();
        OwnerSysId = App.ServiceNow.SeedUser(new ServiceNowSimulatorUser(Owner, OwnerEmail, "Alice Owner"));
        OpenerSysId = App.ServiceNow.SeedUser(new ServiceNowSimulatorUser(Opener, OpenerEmail, "Bob Caller"));
        GroupSysId = App.ServiceNow.SeedGroup(Group);
        App.ResourceManager.State.SeedMetadata(new SimulatedAssessmentMetadata(Assessment, RecommendationName, SimulatedSeverity.High)
        {
            Description = "Vulnerability assessment found <b>unpatched</b> software.",
            RemediationDescription = "<p>To fix:</p><ol><li>Open the finding &amp; review it.</li><li>Apply the patch.</li></ol><script>alert(1)</script>",
        });
    }

    public IntegrationHarness Harness { get; }

    /// <summary>The app's clock.</summary>
    public WallClock Clock { get; }

    public AssignmentFunctions Functions { get; }

    public string OwnerSysId { get; }

    public string OpenerSysId { get; }

    public string GroupSysId { get; }

    private TestApp App => Harness.App;

    /// <param name="adjustSettings">The test class's settings, if any.</param>
    /// <param name="configureServices">Runs after the clock is registered, so it may add to the app's services.</param>
    public static async Task<AssignmentDriver> StartAsync(
        Action<Dictionary<string, string?>>? adjustSettings = null, Action<IServiceCollection>? configureServices = null)
    {
        var clock = new WallClock();
        var harness = await IntegrationHarness.StartAsync(adjustSettings, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            configureServices?.Invoke(services);
        });
        return new AssignmentDriver(harness, clock);
    }

    /// <summary>A new resource of the fixture's subscription, with an Unhealthy assessment of <see cref="Assessment"/>.</summary>
    public string UnhealthyResource(string? subscriptionScope = null, SimulatedAssessmentStatus status = SimulatedAssessmentStatus.Unhealthy)
    {
        var resourceId = $"{subscriptionScope ?? IntegrationHarness.SubscriptionScope}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-{Guid.NewGuid():N}";
        App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resourceId, Assessment, status));
        return resourceId;
    }

    public Task<string> CreateCustomizedIntegrationAsync() => CreateIntegrationFromAsync(body => body["fieldMode"] = "customized");

    public async Task<string> CreateIntegrationFromAsync(Action<Dictionary<string, object?>> adjust)
    {
        var body = Harness.ValidBody();
        adjust(body);
        var response = await Harness.CreateAsync(body);
        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        return response.Json["id"]!.GetValue<string>();
    }

    public static Dictionary<string, object?> AssignmentBody(string integrationId, string resourceId, string ticketType = "incident") => new()
    {
        ["integrationId"] = integrationId,
        ["assessmentName"] = Assessment,
        ["resourceId"] = resourceId,
        ["ticketType"] = ticketType,
        ["assignedTo"] = OwnerEmail,
        ["caller"] = Opener,
        ["remediationTimeframeDays"] = 30,
        ["gracePeriod"] = true,
        ["emailNotifications"] = new Dictionary<string, object?> { ["notifyOwner"] = true, ["notifyManager"] = false },
    };

    public Task<FunctionResponse> CreateAssignmentAsync(object body) =>
        Harness.Record(FunctionCall.InvokeAsync(FunctionCall.Request("POST", "/api/assignments", FunctionCall.Json(body)), r => Functions.Create(r, CancellationToken.None)));

    public Task<FunctionResponse> GetAssignmentAsync(string id) =>
        Harness.Record(FunctionCall.InvokeAsync(FunctionCall.Request("GET", $"/api/assignments/{id}"), r => Functions.Get(r, id, CancellationToken.None)));

    public Task<FunctionResponse> ListAssignmentsAsync(string query) =>
        Harness.Record(FunctionCall.InvokeAsync(FunctionCall.Request("GET", "/api/assignments" + query), r => Functions.List(r, CancellationToken.None)));

    public Task<FunctionResponse> UpdateAssignmentAsync(string id, object body) =>
        Harness.Record(FunctionCall.InvokeAsync(FunctionCall.Request("PATCH", $"/api/assignments/{id}", FunctionCall.Json(body)), r => Functions.Update(r, id, CancellationToken.None)));

    public Task<FunctionResponse> DeleteAssignmentAsync(string id) =>
        Harness.Record(FunctionCall.InvokeAsync(FunctionCall.Request("DELETE", $"/api/assignments/{id}"), r => Functions.Delete(r, id, CancellationToken.None)));

    public async Task<JsonNode> CreateActiveAsync(string integrationId, string resourceId, string ticketType = "incident")
    {
        var response = await CreateAssignmentAsync(AssignmentBody(integrationId, resourceId, ticketType));
        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        return response.Json;
    }

    /// <summary>Every ticket of <paramref name="table"/> that carries the correlation id.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> TicketsOf(string assignmentId, string table = "incident") =>
        App.ServiceNow.ListTickets(table).Where(t => t["correlation_id"] == assignmentId).ToList();

    public StoredGovernanceAssignment? GovernanceOf(string resourceId, string assignmentId) =>
        App.ResourceManager.State.FindGovernanceAssignment(resourceId, Assessment, assignmentId);

    public async Task<Assignment?> StoredAsync(string assignmentId) => (await App.Get<IAssignmentStore>().FindAsync(assignmentId, CancellationToken.None))?.Value;

    /// <summary>
    /// The three systems agree on an active assignment: the stored row, exactly one open ticket carrying its id, and
    /// the governance assignment under its id with owner, due date and ticket.
    /// </summary>
    public async Task AssertActiveEverywhereAsync(string assignmentId, string ticketType = "incident")
    {
        var stored = await StoredAsync(assignmentId);
        Assert.That(stored, Is.Not.Null, "stored assignment");
        Assert.That(stored!.Status, Is.EqualTo(AssignmentStatus.Active));
        var tickets = TicketsOf(assignmentId, ticketType);
        Assert.That(tickets, Has.Count.EqualTo(1), "tickets with the assignment's correlation id");
        var ticket = tickets[0];
        Assert.That(ticket["sys_id"], Is.EqualTo(stored.Ticket.SysId));
        Assert.That(ticket["number"], Is.EqualTo(stored.Ticket.Number));
        Assert.That(ticket["assigned_to"], Is.EqualTo(stored.AssignedToSysId));
        Assert.That(ticket["correlation_display"], Is.EqualTo("DefenderSnow"));
        var governance = GovernanceOf(stored.ResourceId, assignmentId);
        Assert.That(governance, Is.Not.Null, "governance assignment");
        Assert.That(governance!.Owner, Is.EqualTo(stored.AssignedTo));
        Assert.That(governance.RemediationDueDate, Is.EqualTo(stored.DueDate).Within(TimeSpan.FromSeconds(1)));
        Assert.That(governance.IsGracePeriod, Is.EqualTo(stored.GracePeriod));
        Assert.That(governance.TicketNumber, Is.EqualTo(int.Parse(stored.Ticket.Number![3..], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(governance.TicketLink, Is.EqualTo(stored.Ticket.Link));
        Assert.That(governance.TicketStatus, Is.EqualTo(stored.Ticket.State));
    }

    /// <summary>Nothing was created upstream for a finding: no governance assignment on the resource, no new ticket.</summary>
    public void AssertNothingUpstream(string resourceId, int ticketsBefore)
    {
        Assert.That(App.ResourceManager.State.GovernanceAssignments.Where(g => g.ResourceId.Equals(resourceId, StringComparison.OrdinalIgnoreCase)), Is.Empty, "governance assignments");
        Assert.That(AllTicketCount(), Is.EqualTo(ticketsBefore), "tickets");
    }

    public int AllTicketCount() => IncidentProblemChangeRequest.Sum(t => App.ServiceNow.ListTickets(t).Count);
}
