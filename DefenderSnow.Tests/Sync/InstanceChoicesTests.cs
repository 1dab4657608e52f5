using System.Text.Json.Nodes;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// An instance customised as real ones are: incident states renumbered (New 10, In Progress 20, On Hold 30, Resolved 60,
/// Closed 70, Canceled 80), the legacy close codes gone and a business rule refusing any close code sys_choice does not
/// list. The integration reads the instance when it is created, and sync and the client resolve, cancel and reopen with
/// the instance's values; a value the instance does not have is refused before anything is stored; a user who may not
/// read sys_choice gets the configured values and a warning. Security incidents (sn_si_incident) run end to end.
/// </summary>
[TestFixture]
public sealed class InstanceChoicesTests : IUsesHarness
{
    private static readonly Dictionary<string, string> Renumbering = new() { ["1"] = "10", ["2"] = "20", ["3"] = "30", ["6"] = "60", ["7"] = "70", ["8"] = "80" };

    private SyncTestContext _context = null!;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _context = await SyncTestContext.StartAsync();
        _context.App.ServiceNow.CustomizeTable("incident", t => t
            .RenumberStates(Renumbering)
            .RemoveChoices("close_code", "Solved (Permanently)", "Solved (Work Around)")
            .EnforceChoices("close_code"));
    }

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [Test]
    public async Task Creation_reads_the_instance_and_sync_resolves_cancels_and_reopens_with_its_values()
    {
        var created = await CreateAsync(onResourceHealthy: "resolve");
        var incident = created["ticketTypes"]!["incident"]!;
        Assert.Multiple(() =>
        {
            Assert.That(incident["resolvedState"]!.GetValue<string>(), Is.EqualTo("60"));
            Assert.That(incident["closeCode"]!.GetValue<string>(), Is.EqualTo("Solution provided"));
            Assert.That(incident["canceledState"]!.GetValue<string>(), Is.EqualTo("80"));
            Assert.That(incident["reopenState"]!.GetValue<string>(), Is.EqualTo("20"));
            Assert.That(incident["checked"]!.GetValue<bool>(), Is.True);
            Assert.That(created["warnings"]!.AsArray(), Is.Empty, created.ToJsonString());
        });

        var id = created["id"]!.GetValue<string>();
        var fixedOne = await _context.Sync.CreateLiveAssignmentAsync(id);
        var resolvedInServiceNow = await _context.Sync.CreateLiveAssignmentAsync(id);
        var canceledInServiceNow = await _context.Sync.CreateLiveAssignmentAsync(id);
        SetFinding(fixedOne, SimulatedAssessmentStatus.Healthy);
        _context.App.ServiceNow.MoveTo("incident", resolvedInServiceNow.Ticket.SysId!, "60", new Dictionary<string, string> { ["close_code"] = "Workaround provided", ["close_notes"] = "done" });
        _context.App.ServiceNow.MoveTo("incident", canceledInServiceNow.Ticket.SysId!, "80");

        var run = await _context.Sync.SyncAsync(id);

        var part = run["integrations"]![0]!;
        Assert.Multiple(async () =>
        {
            Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That((Ticket(fixedOne)["state"], Ticket(fixedOne)["close_code"]), Is.EqualTo(("60", "Solution provided")), "resolved with the instance's own values");
            Assert.That(part["assignmentsClosed"]!["resourceHealthy"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
            Assert.That((await _context.Sync.StoredAsync(resolvedInServiceNow)).ClosedReason, Is.EqualTo(ClosedReason.TicketResolved));
            Assert.That((await _context.Sync.StoredAsync(canceledInServiceNow)).ClosedReason, Is.EqualTo(ClosedReason.TicketCanceled));
        });

        // Reopening (what issue 27's verify-before-close builds on) and cancelling a duplicate use the mapping too.
        var client = await ClientAsync(id);
        var reopened = await client.ReopenTicketAsync("incident", fixedOne.Ticket.SysId!, "Defender still reports the finding.", CancellationToken.None);
        var canceled = await client.CancelTicketAsync("incident", reopened.SysId, $"Canceled by DefenderSnow: this ticket duplicates {resolvedInServiceNow.Ticket.Number}.", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(reopened.State, Is.EqualTo(new ServiceNowTicketState("20", "In Progress", false)));
            Assert.That(canceled.State, Is.EqualTo(new ServiceNowTicketState("80", "Canceled", true, ServiceNowTicketEnd.Canceled)));
            Assert.That(Ticket(fixedOne)["state"], Is.EqualTo("80"));
        });
    }

    [Test]
    public async Task A_value_the_instance_does_not_offer_is_a_422_naming_the_field_and_its_values_and_nothing_is_stored()
    {
        var secretsBefore = _context.App.KeyVault.SecretNames().ToHashSet();
        var listedBefore = (await _context.Harness.ListAsync()).Json["value"]!.AsArray().Count;
        var body = _context.Harness.ValidBody();
        body["ticketTypes"] = WithDefaults(("incident", new Dictionary<string, object?> { ["closeCode"] = "Solved (Permanently)", ["reopenState"] = "Reopened" }));

        var response = await _context.Harness.CreateAsync(body);

        Assert.Multiple(async () =>
        {
            Assert.That(response.Status, Is.EqualTo(422), response.Json.ToJsonString());
            var closeCode = response.Json["errors"]!["ticketTypes.incident.closeCode"]![0]!.GetValue<string>();
            Assert.That(closeCode, Does.Contain("'Solved (Permanently)'").And.Contain("Solution provided").And.Contain("Workaround provided"));
            Assert.That(response.Json["errors"]!["ticketTypes.incident.reopenState"]![0]!.GetValue<string>(), Does.Contain("20 (In Progress)"));
            Assert.That(_context.App.KeyVault.SecretNames(), Is.EquivalentTo(secretsBefore), "no secret written");
            Assert.That((await _context.Harness.ListAsync()).Json["value"]!.AsArray(), Has.Count.EqualTo(listedBefore), "no integration stored");
        });
    }

    [Test]
    public async Task A_table_that_does_not_extend_task_is_a_422_and_is_never_written_to()
    {
        var body = _context.Harness.ValidBody();
        body["ticketTypes"] = WithDefaults(("sys_user_group", null));
        var groupsBefore = _context.App.ServiceNow.ListRecords("sys_user_group").Count;

        var response = await _context.Harness.CreateAsync(body);

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(422), response.Json.ToJsonString());
            Assert.That(response.Json["errors"]!["ticketTypes.sys_user_group"]![0]!.GetValue<string>(), Does.Contain("does not extend task"));
            Assert.That(_context.App.ServiceNow.ListRecords("sys_user_group"), Has.Count.EqualTo(groupsBefore), "no create probe on a table that is no ticket table");
        });
    }

    [Test]
    public async Task A_table_the_instance_does_not_have_is_a_422_naming_it()
    {
        var body = _context.Harness.ValidBody();
        body["ticketTypes"] = WithDefaults(("u_no_such_table", null));

        var response = await _context.Harness.CreateAsync(body);

        Assert.That(response.Status, Is.EqualTo(422), response.Json.ToJsonString());
        Assert.That(response.Json["errors"]!["ticketTypes.u_no_such_table"]![0]!.GetValue<string>(), Does.Contain("not a table of this ServiceNow instance"));
    }

    [Test]
    public async Task A_user_who_may_not_read_sys_choice_gets_the_configured_values_and_a_warning_not_a_failure()
    {
        _context.App.ServiceNow.Deny(IntegrationHarness.ServiceUser, "sys_choice", ServiceNowTableOperation.Read);
        try
        {
            var created = await CreateAsync(onResourceHealthy: "note");

            var incident = created["ticketTypes"]!["incident"]!;
            Assert.Multiple(() =>
            {
                Assert.That(incident["checked"]!.GetValue<bool>(), Is.False);
                Assert.That(incident["resolvedState"]!.GetValue<string>(), Is.EqualTo("6"), "the configured (out-of-box) value, unchecked");
                Assert.That(created["warnings"]!.AsArray().Select(w => w!.GetValue<string>()), Has.Some.Contains("sys_choice"));
            });
        }
        finally
        {
            _context.App.ServiceNow.Allow(IntegrationHarness.ServiceUser, "sys_choice", ServiceNowTableOperation.Read);
        }
    }

    [Test]
    public async Task A_full_pass_reads_the_instance_again_and_warns_when_a_mapped_value_is_gone()
    {
        var created = await CreateAsync(onResourceHealthy: "note", closeCode: "Known error");
        var id = created["id"]!.GetValue<string>();
        _context.App.ServiceNow.CustomizeTable("incident", t => t.RemoveChoices("close_code", "Known error"));
        try
        {
            _context.App.ServiceNow.ResetRequestCounts();
            await _context.Sync.SyncAsync(id);
            var incremental = _context.App.ServiceNow.RequestCounts;
            _context.App.ServiceNow.ResetRequestCounts();
            await _context.Sync.SyncAsync(id, full: true);
            var full = _context.App.ServiceNow.RequestCounts;

            var read = (await _context.Harness.GetAsync(id)).Json;
            Assert.Multiple(() =>
            {
                Assert.That(incremental.Keys, Has.None.Contains("sys_choice").And.None.Contains("sys_dictionary"), "an incremental run reads no definitions");
                Assert.That(full.GetValueOrDefault("GET /api/now/table/sys_choice"), Is.EqualTo(1));
                Assert.That(full.GetValueOrDefault("GET /api/now/table/sys_dictionary"), Is.EqualTo(1));
                Assert.That(full.GetValueOrDefault("GET /api/now/table/sys_db_object"), Is.EqualTo(0), "the lineage is known");
                Assert.That(read["ticketTypes"]!["incident"]!["closeCode"]!.GetValue<string>(), Is.EqualTo("Known error"), "kept, not replaced");
                Assert.That(read["warnings"]!.AsArray().Select(w => w!.GetValue<string>()), Has.Some.Contains("ticketTypes.incident.closeCode").And.Some.Contains("Known error"));
            });
        }
        finally
        {
            _context.App.ServiceNow.CustomizeTable("incident", t => t.AddChoice("close_code", "Known error", "Known error"));
        }
    }

    [Test]
    public async Task An_integration_with_security_incidents_opens_syncs_and_closes_them()
    {
        var body = _context.Harness.ValidBody();
        body["onResourceHealthy"] = "resolve";
        body["ticketTypes"] = WithDefaults(("sn_si_incident", new Dictionary<string, object?>()));
        var response = await _context.Harness.CreateAsync(body);
        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        var sir = response.Json["ticketTypes"]!["sn_si_incident"]!;
        Assert.That(
            (sir["resolvedState"]!.GetValue<string>(), sir["closeCode"]!.GetValue<string>(), sir["canceledState"]!.GetValue<string>(), sir["reopenState"]!.GetValue<string>()),
            Is.EqualTo(("3", "Threat mitigated", "7", "16")));
        var id = response.Json["id"]!.GetValue<string>();

        var fixedOne = await _context.Sync.CreateLiveAssignmentAsync(id, "sn_si_incident");
        var closedByAnalyst = await _context.Sync.CreateLiveAssignmentAsync(id, "sn_si_incident");
        Assert.That(fixedOne.Ticket.Number, Does.StartWith("SIR"));
        _context.App.ServiceNow.MoveTo("sn_si_incident", fixedOne.Ticket.SysId!, "16");

        await _context.Sync.SyncAsync(id);
        Assert.That((await _context.Sync.StoredAsync(fixedOne)).Ticket.State, Is.EqualTo("Analysis"), "the state is mirrored by its label");

        _context.App.ServiceNow.MoveTo("sn_si_incident", fixedOne.Ticket.SysId!, "100");
        SetFinding(fixedOne, SimulatedAssessmentStatus.Healthy);
        _context.App.ServiceNow.MoveTo("sn_si_incident", closedByAnalyst.Ticket.SysId!, "3", new Dictionary<string, string> { ["close_code"] = "False positive", ["close_notes"] = "not ours" });

        var run = await _context.Sync.SyncAsync(id);

        Assert.Multiple(async () =>
        {
            Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That((Ticket(fixedOne)["state"], Ticket(fixedOne)["close_code"]), Is.EqualTo(("3", "Threat mitigated")));
            Assert.That(Ticket(fixedOne)["close_notes"], Does.Contain("confirmed the fix"));
            Assert.That((await _context.Sync.StoredAsync(fixedOne)).ClosedReason, Is.EqualTo(ClosedReason.ResourceHealthy));
            Assert.That((await _context.Sync.StoredAsync(closedByAnalyst)).ClosedReason, Is.EqualTo(ClosedReason.TicketClosed));
        });
    }

    private async Task<JsonNode> CreateAsync(string onResourceHealthy, string? closeCode = null)
    {
        var body = _context.Harness.ValidBody();
        body["onResourceHealthy"] = onResourceHealthy;
        if (closeCode is not null)
        {
            body["ticketTypes"] = WithDefaults(("incident", new Dictionary<string, object?> { ["closeCode"] = closeCode }));
        }

        var response = await _context.Harness.CreateAsync(body);
        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        return response.Json;
    }

    /// <summary>The three default ticket types (the harness's body lists fields for each), with the given entries set or added.</summary>
    private static Dictionary<string, object?> WithDefaults(params (string Table, object? Entry)[] entries)
    {
        var types = new Dictionary<string, object?> { ["incident"] = null, ["problem"] = null, ["change_request"] = null };
        foreach (var (table, entry) in entries)
        {
            types[table] = entry;
        }

        return types;
    }

    private async Task<IServiceNowClient> ClientAsync(string integrationId)
    {
        var integration = await _context.App.Get<IIntegrationStore>().GetAsync(integrationId, CancellationToken.None);
        return _context.App.Get<IServiceNowClientFactory>().Create(integration!.Value.ToConnection());
    }

    private void SetFinding(Assignment assignment, SimulatedAssessmentStatus status) =>
        _context.App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(assignment.ResourceId, assignment.AssessmentName, status));

    private IReadOnlyDictionary<string, string> Ticket(Assignment assignment) =>
        _context.App.ServiceNow.GetRecord(assignment.Ticket.Table, assignment.Ticket.SysId!)!;
}
