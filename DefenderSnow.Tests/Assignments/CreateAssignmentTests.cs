using Azure.Data.Tables;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Assignments;

/// <summary>CreateAssignment end to end: Table Storage, the ServiceNow ticket and the governance assignment, for every ticket type and field mode.</summary>
public sealed class CreateAssignmentTests : IUsesHarness
{
    private IntegrationHarness _harness = null!;
    private AssignmentDriver _assignments = null!;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _assignments = await AssignmentDriver.StartAsync();
        _harness = _assignments.Harness;
    }

    [TestCase("incident")]
    [TestCase("problem")]
    [TestCase("change_request")]
    public async Task Default_mode_composes_the_ticket_from_the_recommendation(string ticketType)
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();

        var response = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource, ticketType));

        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        var id = response.Json["id"]!.GetValue<string>();
        Assert.That(response.Headers.Location.ToString(), Is.EqualTo($"/api/assignments/{id}"));
        Assert.That(response.Json["status"]!.GetValue<string>(), Is.EqualTo("active"));
        Assert.That(response.Json["ticket"]!["type"]!.GetValue<string>(), Is.EqualTo(ticketType));
        Assert.That(response.Json["ticket"]!["state"]!.GetValue<string>(), Is.EqualTo("New"));
        Assert.That(response.Json["recommendation"]!["severity"]!.GetValue<string>(), Is.EqualTo("High"));
        Assert.That(response.Json["assignedTo"]!.GetValue<string>(), Is.EqualTo(AssignmentDriver.OwnerEmail));
        await _assignments.AssertActiveEverywhereAsync(id, ticketType);

        var ticket = _assignments.TicketsOf(id, ticketType)[0];
        Assert.That(ticket["short_description"], Is.EqualTo($"{AssignmentDriver.RecommendationName} on {resource[(resource.LastIndexOf('/') + 1)..]}"));
        var description = ticket["description"];
        Assert.That(description, Does.Contain("Severity: High"));
        Assert.That(description, Does.Contain(resource));
        Assert.That(description, Does.Contain("Vulnerability assessment found unpatched software."));
        Assert.That(description, Does.Contain("To fix:\n\n- Open the finding & review it.\n- Apply the patch."));
        Assert.That(description, Does.Not.Contain("<").And.Not.Contain("alert"));
        Assert.That(description, Does.Contain("portal.azure.com"));
        var callerField = ticketType switch { "incident" => "caller_id", "problem" => "opened_by", _ => "requested_by" };
        Assert.That(ticket[callerField], Is.EqualTo(_assignments.OpenerSysId));
        if (ticketType == "incident")
        {
            // High severity by the default matrix: impact 1, urgency 2 (the fixture's integration fills both in on incidents).
            Assert.That(ticket["impact"], Is.EqualTo("1"));
            Assert.That(ticket["urgency"], Is.EqualTo("2"));
        }
    }

    [TestCase("incident")]
    [TestCase("problem")]
    [TestCase("change_request")]
    public async Task Customized_mode_writes_the_callers_values(string ticketType)
    {
        var integration = await _assignments.CreateCustomizedIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        var body = AssignmentDriver.AssignmentBody(integration, resource, ticketType);
        body["shortDescription"] = "Patch vm please";
        body["description"] = "Our own words.\nOn two lines.";
        if (ticketType == "incident")
        {
            body["assignmentGroup"] = AssignmentDriver.Group;
            body["impact"] = 2;
            body["urgency"] = 3;
        }

        var response = await _assignments.CreateAssignmentAsync(body);

        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        var id = response.Json["id"]!.GetValue<string>();
        await _assignments.AssertActiveEverywhereAsync(id, ticketType);
        var ticket = _assignments.TicketsOf(id, ticketType)[0];
        Assert.That(ticket["short_description"], Is.EqualTo("Patch vm please"));
        Assert.That(ticket["description"], Is.EqualTo("Our own words.\nOn two lines."));
        Assert.That(response.Json["shortDescription"]!.GetValue<string>(), Is.EqualTo("Patch vm please"));
        if (ticketType == "incident")
        {
            Assert.That(ticket["assignment_group"], Is.EqualTo(_assignments.GroupSysId));
            Assert.That(ticket["impact"], Is.EqualTo("2"));
            Assert.That(ticket["urgency"], Is.EqualTo("3"));
        }
    }

    [Test]
    public async Task A_master_connector_integration_assigns_resources_of_its_member_connectors()
    {
        var subscription = IntegrationHarness.SubscriptionScope;
        var master = $"{subscription}/resourceGroups/rg-mc/providers/Microsoft.Security/securityConnectors/aws-org-{Guid.NewGuid():N}";
        var member = $"{subscription}/resourceGroups/rg-mc/providers/Microsoft.Security/securityConnectors/aws-member-{Guid.NewGuid():N}";
        _harness.App.ResourceManager.State.AddSecurityConnector(new SimulatedSecurityConnector(master, "999999999999", "AWS", "Organization"));
        _harness.App.ResourceManager.State.AddSecurityConnector(new SimulatedSecurityConnector(member, "111111111111", "AWS", "Member", ParentHierarchyId: "999999999999"));
        var integration = await _assignments.CreateIntegrationFromAsync(body => body["scope"] = new Dictionary<string, object?> { ["type"] = "masterConnector", ["id"] = master });
        var resource = member + "/securityentitydata/aws-ec2-instance-i-0abc";
        _harness.App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resource, AssignmentDriver.Assessment, SimulatedAssessmentStatus.Unhealthy) { Source = "Aws" });

        var created = await _assignments.CreateActiveAsync(integration, resource);

        await _assignments.AssertActiveEverywhereAsync(created["id"]!.GetValue<string>());
    }

    [Test]
    public async Task A_repeated_request_returns_the_live_assignment_and_creates_nothing()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        var first = await _assignments.CreateActiveAsync(integration, resource);
        var before = await StateSnapshot.TakeAsync(_harness.App);
        var requests = _harness.App.ServiceNow.TotalRequests;

        var again = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));

        Assert.That(again.Status, Is.EqualTo(200), again.ToString());
        Assert.That(again.Json["id"]!.GetValue<string>(), Is.EqualTo(first["id"]!.GetValue<string>()));
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
        Assert.That(_harness.App.ServiceNow.TotalRequests, Is.EqualTo(requests), "ServiceNow was not asked");
        await _assignments.AssertActiveEverywhereAsync(first["id"]!.GetValue<string>());
    }

    [Test]
    public async Task A_first_create_looks_for_its_ticket_only_after_opening_it()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        _harness.App.ServiceNow.ResetRequestCounts();
        _harness.App.ResourceManager.State.ResetRequestCounts();

        var created = await _assignments.CreateActiveAsync(integration, resource);

        // A new assignment id cannot be on a ticket yet: no look-up before the create; the duplicate checks after it stay.
        var counts = string.Join(", ", _harness.App.ServiceNow.RequestCounts);
        Assert.That(_harness.App.ServiceNow.RequestCount("POST /api/now/table/incident"), Is.EqualTo(1), counts);
        Assert.That(_harness.App.ServiceNow.RequestCount("GET /api/now/table/incident"), Is.EqualTo(2), counts);
        Assert.That(_harness.App.ResourceManager.State.RequestCount(ResourceManagerOperations.PutGovernanceAssignment), Is.EqualTo(1));
        await _assignments.AssertActiveEverywhereAsync(created["id"]!.GetValue<string>());
    }

    [Test]
    public async Task Owner_and_caller_are_read_once_per_few_minutes_and_a_deactivated_owner_is_refused_after_that()
    {
        var integration = await _harness.CreateIntegrationAsync();
        _harness.App.ServiceNow.ResetRequestCounts();

        await _assignments.CreateActiveAsync(integration, _assignments.UnhealthyResource());
        await _assignments.CreateActiveAsync(integration, _assignments.UnhealthyResource());

        Assert.That(_harness.App.ServiceNow.RequestCount("GET /api/now/table/sys_user"), Is.EqualTo(2), "owner and caller, for both creates");

        _harness.App.ServiceNow.SetUserActive(AssignmentDriver.Owner, active: false);
        try
        {
            _assignments.Clock.Advance(ServiceNowUserCache.Lifetime + TimeSpan.FromSeconds(1));
            var refused = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, _assignments.UnhealthyResource()));

            Assert.That(refused.Status, Is.EqualTo(400), refused.ToString());
            Assert.That(refused.Json["errors"]!["assignedTo"], Is.Not.Null, refused.ToString());
            Assert.That(_harness.App.ServiceNow.RequestCount("GET /api/now/table/sys_user"), Is.EqualTo(4), "read again once the answers expired");
        }
        finally
        {
            _harness.App.ServiceNow.SetUserActive(AssignmentDriver.Owner, active: true);
        }
    }

    [Test]
    public async Task An_unknown_owner_is_not_remembered()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var body = AssignmentDriver.AssignmentBody(integration, _assignments.UnhealthyResource());
        body["assignedTo"] = "carol@contoso.example";

        var refused = await _assignments.CreateAssignmentAsync(body);
        Assert.That(refused.Status, Is.EqualTo(400), refused.ToString());

        _harness.App.ServiceNow.SeedUser(new ServiceNowSimulatorUser("carol", "carol@contoso.example", "Carol New"));
        var created = await _assignments.CreateAssignmentAsync(body);

        Assert.That(created.Status, Is.EqualTo(201), created.ToString());
        Assert.That(created.Json["assignedTo"]!.GetValue<string>(), Is.EqualTo("carol@contoso.example"));
    }

    [Test]
    public async Task Ten_parallel_requests_make_one_ticket_and_one_governance_assignment()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource))));

        Assert.That(responses.Select(r => r.Status), Is.All.AnyOf(200, 201), string.Join("\n", responses.Select(r => r.ToString())));
        Assert.That(responses.Count(r => r.Status == 201), Is.EqualTo(1));
        var ids = responses.Select(r => r.Json["id"]!.GetValue<string>()).Distinct().ToList();
        Assert.That(ids, Has.Count.EqualTo(1));
        Assert.That(_harness.App.ServiceNow.ListTickets("incident").Count(t => t["short_description"].EndsWith(resource[(resource.LastIndexOf('/') + 1)..], StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(_harness.App.ResourceManager.State.GovernanceAssignments.Count(g => g.ResourceId == resource), Is.EqualTo(1));
        await _assignments.AssertActiveEverywhereAsync(ids[0]);
        var table = new TableServiceClient(await Azurite.GetConnectionStringAsync()).GetTableClient(_harness.App.TablePrefix + "assignments");
        var lookups = await table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Kind eq {"lookup"} and IntegrationId eq {integration}")).ToListAsync();
        Assert.That(lookups.Select(l => l.RowKey), Is.EqualTo(ids), "the losers' lookup rows were taken back");
    }

    [Test]
    public async Task Get_reads_by_id_and_list_filters_and_pages()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await _assignments.CreateActiveAsync(integration, _assignments.UnhealthyResource()))["id"]!.GetValue<string>());
        }

        var read = await _assignments.GetAssignmentAsync(ids[1]);
        var first = await _assignments.ListAssignmentsAsync($"?integrationId={integration}&status=active&top=2&code=the-function-key");
        var nextLink = first.Json["nextLink"]!.GetValue<string>();
        var second = await _assignments.ListAssignmentsAsync(new Uri(nextLink).Query);
        var byResource = await _assignments.ListAssignmentsAsync($"?integrationId={integration}&resourceId={Uri.EscapeDataString(read.Json["resourceId"]!.GetValue<string>())}");

        Assert.That(read.Status, Is.EqualTo(200), read.ToString());
        Assert.That(read.Json["id"]!.GetValue<string>(), Is.EqualTo(ids[1]));
        Assert.That(nextLink, Does.Not.Contain("the-function-key"));
        var listed = first.Json["value"]!.AsArray().Concat(second.Json["value"]!.AsArray()).Select(a => a!["id"]!.GetValue<string>());
        Assert.That(listed, Is.EquivalentTo(ids));
        Assert.That(second.Json["nextLink"], Is.Null);
        Assert.That(byResource.Json["value"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()), Is.EqualTo(new[] { ids[1] }));
    }
}
