using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Functions.Assignments;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.Assignments;

/// <summary>
/// Every state change of an assignment says who made it: the caller (as App Service authentication names it) for a
/// change through the API, <see cref="ChangeActor.System"/> for one sync made; a delete also says who deleted it.
/// </summary>
[TestFixture]
public sealed class AssignmentAuditTests : IUsesHarness
{
    private SyncTestContext _context = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [Test]
    public async Task A_change_through_the_api_names_its_caller_a_change_by_sync_names_the_system_and_a_delete_names_its_deleter()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);

        var patched = await CallAsync("PATCH", assignment.Id, "alice@contoso.com", FunctionCall.Json(new { gracePeriod = false }));
        Assert.That(patched.Status, Is.EqualTo(200), patched.ToString());
        Assert.That(patched.Json["updatedBy"]!.GetValue<string>(), Is.EqualTo("alice@contoso.com"));
        Assert.That(patched.Json["deletedBy"], Is.Null);

        _context.App.ServiceNow.Reassign("incident", assignment.Ticket.SysId!, SyncDriver.OwnerB);
        await _context.Sync.SyncAsync(integrationId);
        var synced = await CallAsync("GET", assignment.Id, caller: null);
        Assert.That(synced.Json["assignedTo"]!.GetValue<string>(), Is.EqualTo(SyncDriver.OwnerBEmail), synced.ToString());
        Assert.That(synced.Json["updatedBy"]!.GetValue<string>(), Is.EqualTo(ChangeActor.System), "the owner sync took from the ticket is not alice's change");

        var deleted = await CallAsync("DELETE", assignment.Id, "bob@contoso.com");
        Assert.That(deleted.Status, Is.EqualTo(204), deleted.ToString());
        var gone = await CallAsync("GET", assignment.Id, caller: null);
        Assert.That(gone.Json["status"]!.GetValue<string>(), Is.EqualTo("closed"), gone.ToString());
        Assert.That((gone.Json["updatedBy"]!.GetValue<string>(), gone.Json["deletedBy"]!.GetValue<string>()), Is.EqualTo(("bob@contoso.com", "bob@contoso.com")));
    }

    [Test]
    public async Task An_assignment_sync_closed_names_the_system_and_no_deleter()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        Assert.That((await CallAsync("PATCH", assignment.Id, "alice@contoso.com", FunctionCall.Json(new { gracePeriod = false }))).Status, Is.EqualTo(200));

        _context.App.ServiceNow.Resolve("incident", assignment.Ticket.SysId!);
        await _context.Sync.SyncAsync(integrationId);

        var closed = await CallAsync("GET", assignment.Id, caller: null);
        Assert.That(closed.Json["closedReason"]!.GetValue<string>(), Is.EqualTo("ticketResolved"), closed.ToString());
        Assert.That(closed.Json["updatedBy"]!.GetValue<string>(), Is.EqualTo(ChangeActor.System));
        Assert.That(closed.Json["deletedBy"], Is.Null);
    }

    private Task<FunctionResponse> CallAsync(string method, string id, string? caller, string? body = null)
    {
        var headers = caller is null ? null : new Dictionary<string, string> { ["X-MS-CLIENT-PRINCIPAL-NAME"] = caller };
        var request = FunctionCall.Request(method, $"/api/assignments/{id}", body, headers);
        var functions = _context.App.Function<AssignmentFunctions>();
        return _context.Harness.Record(FunctionCall.InvokeAsync(request, method switch
        {
            "PATCH" => r => functions.Update(r, id, CancellationToken.None),
            "DELETE" => r => functions.Delete(r, id, CancellationToken.None),
            _ => r => functions.Get(r, id, CancellationToken.None),
        }));
    }
}
