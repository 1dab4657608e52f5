using System.Net;
using System.Text.Json.Nodes;
using DefenderSnow.Core.TicketEvents;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.LocalRun;
using DefenderSnow.Tests.Walkthrough;

namespace DefenderSnow.Tests.RealHost;

/// <summary>
/// A ticket event end to end under the real host: ServiceNow's signed call to the anonymous webhook, the
/// <c>ticket-events</c> queue, <c>ApplyTicketEvent</c>, and the assignment read back changed.
/// </summary>
public sealed partial class RealHostTests
{
    private const string EventsResource = "/subscriptions/" + LocalDemoData.SubscriptionId + "/resourceGroups/rg-demo/providers/Microsoft.Compute/virtualMachines/vm-events";

    [Test]
    public async Task A_ticket_reassigned_in_ServiceNow_is_applied_through_the_webhook_and_its_queue_within_seconds()
    {
        _app.ResourceManager.State.SeedAssessment(new SimulatedAssessment(EventsResource, LocalDemoData.AssessmentName, SimulatedAssessmentStatus.Unhealthy));
        var integration = await CreateIntegrationAsync("RealHostTicketEvents");
        var integrationId = integration["id"]!.GetValue<string>();
        var webhook = await PostAsync($"integrations/{integrationId}/webhook", "{}");
        // The path the answer names, called without a key: ServiceNow has none (the route is anonymous, Easy Auth excluded).
        _app.ServiceNow.SendTicketEventsTo(new Uri(Host.BaseUri, webhook["eventsPath"]!.GetValue<string>().TrimStart('/')), webhook["secret"]!.GetValue<string>());
        var assignment = await PostAsync("assignments", $$"""
            { "integrationId": "{{integrationId}}", "assessmentName": "{{LocalDemoData.AssessmentName}}", "resourceId": "{{EventsResource}}",
              "ticketType": "incident", "assignedTo": "alice@contoso.example", "caller": "bob", "remediationTimeframeDays": 30 }
            """);
        var assignmentId = assignment["id"]!.GetValue<string>();
        var (eventsBefore, failedBefore) = (_app.ServiceNow.TicketEventsSent, _app.ServiceNow.TicketEventsFailed);

        await TestContext.Out.WriteLineAsync($"Reassigned at {DateTime.UtcNow:HH:mm:ss.fff}.");
        _app.ServiceNow.Reassign("incident", assignment["ticket"]!["sysId"]!.GetValue<string>(), "bob");

        var polls = 0;
        string assignedTo;
        while ((assignedTo = await AssignedToAsync(assignmentId)) != "bob@contoso.example" && polls < MaxLatencyPolls * 4)
        {
            await Task.Delay(LatencyPoll);
            polls++;
        }

        await TestContext.Out.WriteLineAsync($"The reassignment was applied after {polls} reads {LatencyPoll.TotalMilliseconds} ms apart ({DateTime.UtcNow:HH:mm:ss.fff}):\n"
            + Host.Timeline(l => l.Contains("Functions.ReceiveTicketEvent'", StringComparison.Ordinal) || l.Contains("Functions.ApplyTicketEvent'", StringComparison.Ordinal)));
        Assert.That(assignedTo, Is.EqualTo("bob@contoso.example"), Host.Output());
        Assert.That(_app.ServiceNow.TicketEventsSent, Is.GreaterThan(eventsBefore), "it came as a ticket event, not a sync");
        Assert.That(_app.ServiceNow.TicketEventsFailed, Is.EqualTo(failedBefore));
        // The webhook queues the event CollapseDelay ahead (so a burst of updates to one ticket is applied once); then the
        // idle queue is polled within maxPollingInterval.
        var collapse = new TicketEventOptions().CollapseDelay;
        var allowed = (int)Math.Ceiling((collapse + await MaxPollingIntervalAsync() + LatencyMargin) / LatencyPoll);
        Assert.That(polls, Is.LessThanOrEqualTo(allowed), $"applied within the collapse delay {collapse}, the polling interval and {LatencyMargin}");
        // Only this test calls the webhook; the host prints its lines a moment after the function answers.
        Assert.That(await Host.WaitForLineAsync(l => l.Contains("Executed 'Functions.ReceiveTicketEvent' (Succeeded", StringComparison.Ordinal), LineTimeout, CancellationToken.None), Is.Not.Null);
    }

    [Test]
    public async Task Deleting_an_integration_with_a_live_assignment_finishes_through_its_queue()
    {
        var resource = EventsResource.Replace("vm-events", "vm-delete", StringComparison.Ordinal);
        _app.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resource, LocalDemoData.AssessmentName, SimulatedAssessmentStatus.Unhealthy));
        var integrationId = (await CreateIntegrationAsync("RealHostDeletion"))["id"]!.GetValue<string>();
        await PostAsync("assignments", $$"""
            { "integrationId": "{{integrationId}}", "assessmentName": "{{LocalDemoData.AssessmentName}}", "resourceId": "{{resource}}",
              "ticketType": "incident", "assignedTo": "alice@contoso.example", "caller": "bob", "remediationTimeframeDays": 30 }
            """);
        Assert.That(_app.ResourceManager.State.GovernanceAssignments.Count(g => g.ResourceId == resource), Is.EqualTo(1));

        using var delete = RealFunctionsHost.Request(HttpMethod.Delete, $"api/integrations/{integrationId}", RealFunctionsHost.FunctionKey);
        using var answer = await Host.Client.SendAsync(delete);
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "it goes on in the background");

        var polls = 0;
        while (await StatusAsync($"api/integrations/{integrationId}", RealFunctionsHost.FunctionKey) != HttpStatusCode.NotFound && polls < MaxLatencyPolls * 4)
        {
            await Task.Delay(LatencyPoll);
            polls++;
        }

        await TestContext.Out.WriteLineAsync($"The background delete finished after {polls} reads {LatencyPoll.TotalMilliseconds} ms apart.");
        Assert.That(await StatusAsync($"api/integrations/{integrationId}", RealFunctionsHost.FunctionKey), Is.EqualTo(HttpStatusCode.NotFound), Host.Output());
        Assert.That(_app.ResourceManager.State.GovernanceAssignments.Where(g => g.ResourceId == resource), Is.Empty, "its assignment's governance assignment went with it");
        Assert.That(await Host.WaitForLineAsync(l => l.Contains("Executed 'Functions.CompleteIntegrationDeletion' (Succeeded", StringComparison.Ordinal), LineTimeout, CancellationToken.None), Is.Not.Null);
    }

    private Task<JsonNode> CreateIntegrationAsync(string name) => PostAsync("integrations", _app.MapFixedPorts($$"""
        { "name": "{{name}}", "scope": { "type": "subscription", "id": "/subscriptions/{{LocalDemoData.SubscriptionId}}" },
          "instanceUrl": "https://127.0.0.1:7443", "username": "{{LocalDemoData.ServiceUser}}", "password": "{{LocalDemoData.ServicePassword}}",
          "clientId": "{{LocalDemoData.ClientId}}", "clientSecret": "{{LocalDemoData.ClientSecret}}", "fieldMode": "default" }
        """));

    private async Task<string> AssignedToAsync(string assignmentId) =>
        JsonNode.Parse(await CallHostAsync(new FunctionsHostCall("GET", new Uri(WalkthroughRun.FunctionsHostApi + "assignments/" + assignmentId), null, KeyHeader)))!["assignedTo"]!.GetValue<string>();

    private async Task<JsonNode> PostAsync(string path, string body) =>
        JsonNode.Parse(await CallHostAsync(new FunctionsHostCall("POST", new Uri(WalkthroughRun.FunctionsHostApi + path), body, KeyHeader)))!;
}
