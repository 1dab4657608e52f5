using Azure.Core;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.Defender;

/// <summary>The Resource Manager client against the simulator, over real HTTPS, built through AddDefender.</summary>
public class DefenderClientContractTests
{
    private static readonly string[] AssessmentName = ["assessmentName"];
    private static readonly string[] AssignmentKey = ["assignmentKey"];
    private static readonly string[] Compute = ["Compute"];
    private static readonly string[] ManagementGroupId = ["managementGroupId"];

    private const string Subscription = "11111111-1111-1111-1111-111111111111";
    private const string ResourceId = $"/subscriptions/{Subscription}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm1";
    private const string Recommendation = "4fb67663-9ab9-475d-b026-8c544cced439";
    private const string Key = "0d4bc1ad-6c0c-4b4b-9a48-7e3b4c1f2a10";

    private ResourceManagerSimulator _simulator = null!;
    private ServiceProvider _services = null!;

    private ResourceManagerState State => _simulator.State;

    private SimulatorFaults Faults => _simulator.Faults;

    [OneTimeSetUp]
    public async Task StartSimulator() => _simulator = await ResourceManagerSimulator.StartAsync();

    [OneTimeTearDown]
    public async Task StopSimulator() => await _simulator.DisposeAsync();

    [SetUp]
    public void SetUp()
    {
        State.Reset();
        State.SeedAssessment(new SimulatedAssessment(ResourceId, Recommendation, SimulatedAssessmentStatus.Unhealthy)
        {
            Cause = "OffByPolicy",
            Description = "Disk encryption is off",
            AdditionalData = new Dictionary<string, string> { ["vmSize"] = "Standard_B2s" },
        });
        _services = DefenderTestServices.Build(_simulator.BaseUri);
    }

    [TearDown]
    public async Task TearDown() => await _services.DisposeAsync();

    private IDefenderClient Client => _services.GetRequiredService<IDefenderClient>();

    private static GovernanceAssignment Assignment(string owner = "owner@contoso.com", string ticket = "INC0010042") => new()
    {
        Owner = owner,
        RemediationDueDate = new DateTimeOffset(2030, 1, 31, 0, 0, 0, TimeSpan.Zero),
        IsGracePeriod = true,
        GovernanceEmailNotification = new GovernanceEmailNotification(DisableManagerEmailNotification: true, DisableOwnerEmailNotification: false),
        AdditionalData = new GovernanceAssignmentAdditionalData(
            TicketNumber.ToGovernanceNumber(ticket), "https://contoso.service-now.com/incident.do?sys_id=abc", "New"),
    };

    [Test]
    public async Task A_governance_assignment_is_put_read_back_and_stored_as_sent()
    {
        var put = await Client.PutGovernanceAssignmentAsync(ResourceId, Recommendation, Key, Assignment(), CancellationToken.None);
        var read = await Client.GetGovernanceAssignmentAsync(ResourceId, Recommendation, Key, CancellationToken.None);
        var stored = State.FindGovernanceAssignment(ResourceId, Recommendation, Key);

        Assert.Multiple(() =>
        {
            Assert.That(put.Id, Is.EqualTo($"{ResourceId}/providers/Microsoft.Security/assessments/{Recommendation}/governanceAssignments/{Key}"));
            Assert.That(put.AssignmentKey, Is.EqualTo(Key));
            Assert.That(read, Is.EqualTo(put));
            Assert.That(read!.Properties, Is.EqualTo(Assignment()));
            Assert.That(stored!.TicketNumber, Is.EqualTo(10042));
            Assert.That(stored.Owner, Is.EqualTo("owner@contoso.com"));
            Assert.That(stored.RemediationDueDate, Is.EqualTo(new DateTimeOffset(2030, 1, 31, 0, 0, 0, TimeSpan.Zero)));
            Assert.That(stored.TicketLink, Is.EqualTo("https://contoso.service-now.com/incident.do?sys_id=abc"));
        });
    }

    [Test]
    public async Task Putting_again_replaces_the_assignment()
    {
        await Client.PutGovernanceAssignmentAsync(ResourceId, Recommendation, Key, Assignment(), CancellationToken.None);
        await Client.PutGovernanceAssignmentAsync(ResourceId, Recommendation, Key, Assignment(owner: "new@contoso.com"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(State.GovernanceAssignments, Has.Count.EqualTo(1));
            Assert.That(State.GovernanceAssignments[0].Owner, Is.EqualTo("new@contoso.com"));
        });
    }

    [Test]
    public async Task An_absent_assignment_reads_as_null_and_deleting_it_succeeds()
    {
        Assert.That(await Client.GetGovernanceAssignmentAsync(ResourceId, Recommendation, Key, CancellationToken.None), Is.Null);
        Assert.DoesNotThrowAsync(() => Client.DeleteGovernanceAssignmentAsync(ResourceId, Recommendation, Key, CancellationToken.None));
    }

    [Test]
    public async Task Deleting_removes_the_assignment()
    {
        await Client.PutGovernanceAssignmentAsync(ResourceId, Recommendation, Key, Assignment(), CancellationToken.None);

        await Client.DeleteGovernanceAssignmentAsync(ResourceId, Recommendation, Key, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(State.GovernanceAssignments, Is.Empty);
            Assert.That(State.RequestCount(ResourceManagerOperations.DeleteGovernanceAssignment), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Listing_follows_next_links_through_every_page()
    {
        State.PageSize = 2;
        var keys = Enumerable.Range(1, 5).Select(i => $"key-{i}").ToList();
        foreach (var key in keys)
        {
            await Client.PutGovernanceAssignmentAsync(ResourceId, Recommendation, key, Assignment(), CancellationToken.None);
        }

        var listed = await Client.ListGovernanceAssignmentsAsync(ResourceId, Recommendation, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(listed.Select(a => a.AssignmentKey), Is.EquivalentTo(keys));
            Assert.That(State.RequestCount(ResourceManagerOperations.ListGovernanceAssignments), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task An_assessment_is_read_with_its_status_and_portal_link()
    {
        var assessment = await Client.GetAssessmentAsync(ResourceId, Recommendation, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(assessment!.Status.Code, Is.EqualTo(AssessmentStatusCode.Unhealthy));
            Assert.That(assessment.Status.Cause, Is.EqualTo("OffByPolicy"));
            Assert.That(assessment.ResourceId, Is.EqualTo(ResourceId));
            Assert.That(assessment.ResourceSource, Is.EqualTo("Azure"));
            Assert.That(assessment.AdditionalData["vmSize"], Is.EqualTo("Standard_B2s"));
            Assert.That(assessment.AzurePortalUri, Does.Contain(Recommendation));
        });
    }

    [TestCase(SimulatedAssessmentStatus.Healthy, AssessmentStatusCode.Healthy)]
    [TestCase(SimulatedAssessmentStatus.NotApplicable, AssessmentStatusCode.NotApplicable)]
    public async Task Every_assessment_status_is_read(SimulatedAssessmentStatus seeded, AssessmentStatusCode expected)
    {
        const string other = $"/subscriptions/{Subscription}/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/st1";
        State.SeedAssessment(new SimulatedAssessment(other, Recommendation, seeded));

        var assessment = await Client.GetAssessmentAsync(other, Recommendation, CancellationToken.None);

        Assert.That(assessment!.Status.Code, Is.EqualTo(expected));
    }

    [Test]
    public async Task An_absent_assessment_reads_as_null()
    {
        Assert.That(await Client.GetAssessmentAsync(ResourceId, "00000000-0000-0000-0000-000000000001", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Assessment_metadata_is_read_and_absent_metadata_is_null()
    {
        State.SeedMetadata(new SimulatedAssessmentMetadata(Recommendation, "Virtual machines should encrypt temp disks", SimulatedSeverity.High)
        {
            Description = "Encrypt disks.",
            RemediationDescription = "<p>Enable encryption.</p>",
            Categories = ["Compute"],
            Threats = ["DataExfiltration"],
        });

        var metadata = await Client.GetAssessmentMetadataAsync(Recommendation, CancellationToken.None);
        var absent = await Client.GetAssessmentMetadataAsync("00000000-0000-0000-0000-000000000001", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(metadata!.DisplayName, Is.EqualTo("Virtual machines should encrypt temp disks"));
            Assert.That(metadata.Severity, Is.EqualTo(AssessmentSeverity.High));
            Assert.That(metadata.RemediationDescription, Is.EqualTo("<p>Enable encryption.</p>"));
            Assert.That(metadata.Categories, Is.EqualTo(Compute));
            Assert.That(absent, Is.Null);
        });
    }

    [Test]
    public async Task Management_group_descendants_are_read_across_pages()
    {
        State.PageSize = 1;
        State.AddManagementGroup(new SimulatedManagementGroup("root", null));
        State.AddManagementGroup(new SimulatedManagementGroup("child", "root"));
        State.AddSubscription(new SimulatedSubscription(Subscription, "child"));

        var descendants = await Client.ListManagementGroupDescendantsAsync("root", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(descendants.Select(d => d.Id), Is.EquivalentTo(new[]
            {
                "/providers/Microsoft.Management/managementGroups/child",
                $"/subscriptions/{Subscription}",
            }));
            Assert.That(descendants.Single(d => d.IsSubscription).ParentId, Is.EqualTo("/providers/Microsoft.Management/managementGroups/child"));
            Assert.That(State.RequestCount(ResourceManagerOperations.ListManagementGroupDescendants), Is.EqualTo(2));
        });
    }

    [Test]
    public void An_unknown_management_group_is_a_typed_error()
    {
        var error = Assert.ThrowsAsync<ResourceManagerException>(() => Client.ListManagementGroupDescendantsAsync("nowhere", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(404));
            Assert.That(error.Code, Is.EqualTo("NotFound"));
            Assert.That(error.System, Is.EqualTo("Resource Manager"));
        });
    }

    [Test]
    public void An_assignment_on_an_assessment_defender_does_not_have_is_rejected_with_the_code()
    {
        var error = Assert.ThrowsAsync<ResourceManagerException>(() =>
            Client.PutGovernanceAssignmentAsync(ResourceId, "00000000-0000-0000-0000-000000000001", Key, Assignment(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(404));
            Assert.That(error.Code, Is.EqualTo("ParentResourceNotFound"));
            Assert.That(error.Kind, Is.EqualTo(DomainErrorKind.Rejected));
        });
    }

    [Test]
    public void A_token_for_another_audience_is_rejected_with_the_code()
    {
        using var services = DefenderTestServices.Build(_simulator.BaseUri, new Dictionary<string, string?> { ["Defender:Audience"] = "https://management.usgovcloudapi.net" });

        var error = Assert.ThrowsAsync<ResourceManagerException>(() =>
            services.GetRequiredService<IDefenderClient>().GetAssessmentAsync(ResourceId, Recommendation, CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(401));
            Assert.That(error.Code, Is.EqualTo("InvalidAuthenticationTokenAudience"));
            Assert.That(State.RequestCount(ResourceManagerOperations.GetAssessment), Is.EqualTo(1), "a 401 is not retried");
        });
    }

    [Test]
    public void An_expired_token_is_rejected_with_the_code()
    {
        // The credential's clock runs two hours behind the simulator's, so its one-hour tokens arrive expired.
        var behind = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-2));
        using var services = DefenderTestServices.Build(_simulator.BaseUri, credential: new SimulatorTokenCredential(behind), timeProvider: behind);

        var error = Assert.ThrowsAsync<ResourceManagerException>(() =>
            services.GetRequiredService<IDefenderClient>().GetAssessmentAsync(ResourceId, Recommendation, CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo("ExpiredAuthenticationToken"));
    }

    [Test]
    public void A_malformed_token_is_rejected_with_the_code()
    {
        using var services = DefenderTestServices.Build(_simulator.BaseUri, credential: new FixedTokenCredential("not-a-jwt"));

        var error = Assert.ThrowsAsync<ResourceManagerException>(() =>
            services.GetRequiredService<IDefenderClient>().GetAssessmentAsync(ResourceId, Recommendation, CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo("InvalidAuthenticationToken"));
    }

    [Test]
    public async Task Throttling_is_retried_after_the_retry_after_delay()
    {
        Faults.FailNext(2, 429, ResourceManagerOperations.GetAssessment, TimeSpan.Zero);

        var assessment = await Client.GetAssessmentAsync(ResourceId, Recommendation, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(assessment, Is.Not.Null);
            Assert.That(State.RequestCount(ResourceManagerOperations.GetAssessment), Is.EqualTo(3));
        });
    }

    [TestCase(500)]
    [TestCase(503)]
    public async Task A_server_error_on_a_put_is_retried_because_the_put_is_idempotent(int status)
    {
        Faults.FailNext(1, status, ResourceManagerOperations.PutGovernanceAssignment);

        await Client.PutGovernanceAssignmentAsync(ResourceId, Recommendation, Key, Assignment(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(State.GovernanceAssignments, Has.Count.EqualTo(1));
            Assert.That(State.RequestCount(ResourceManagerOperations.PutGovernanceAssignment), Is.EqualTo(2));
        });
    }

    [Test]
    public void Server_errors_that_outlast_the_retries_make_resource_manager_unreachable()
    {
        Faults.FailNext(10, 503, retryAfter: TimeSpan.Zero);

        var error = Assert.ThrowsAsync<ResourceManagerUnreachableException>(() =>
            Client.DeleteGovernanceAssignmentAsync(ResourceId, Recommendation, Key, CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.System, Is.EqualTo("Resource Manager"));
            Assert.That(error.Message, Does.Contain("ServiceUnavailable"));
            Assert.That(State.RequestCount(ResourceManagerOperations.DeleteGovernanceAssignment), Is.EqualTo(4), "one attempt and three retries");
        });
    }

    [Test]
    public void Throttling_that_outlasts_the_retries_makes_resource_manager_unreachable()
    {
        using var services = DefenderTestServices.Build(_simulator.BaseUri, new Dictionary<string, string?> { ["Defender:MaxRetryAttempts"] = "1" });
        Faults.FailNext(5, 429, retryAfter: TimeSpan.FromSeconds(1));

        Assert.ThrowsAsync<ResourceManagerUnreachableException>(() =>
            services.GetRequiredService<IDefenderClient>().GetAssessmentMetadataAsync(Recommendation, CancellationToken.None));
        Assert.That(State.RequestCount(ResourceManagerOperations.GetAssessmentMetadata), Is.EqualTo(2));
    }

    [Test]
    public void Throttling_that_asks_for_a_long_wait_is_reported_at_once()
    {
        Faults.FailNext(1, 429, retryAfter: TimeSpan.FromMinutes(5));

        Assert.ThrowsAsync<ResourceManagerUnreachableException>(() => Client.GetAssessmentAsync(ResourceId, Recommendation, CancellationToken.None));
        Assert.That(State.RequestCount(ResourceManagerOperations.GetAssessment), Is.EqualTo(1));
    }

    [Test]
    public void An_answer_slower_than_the_attempt_timeout_is_retried_then_unreachable()
    {
        using var services = DefenderTestServices.Build(_simulator.BaseUri, new Dictionary<string, string?>
        {
            ["Defender:MaxRetryAttempts"] = "1",
            ["Defender:AttemptTimeout"] = "00:00:00.200",
        });
        Faults.DelayNext(SimulatorFaults.Always, TimeSpan.FromSeconds(2), ResourceManagerOperations.GetAssessment);

        var error = Assert.ThrowsAsync<ResourceManagerUnreachableException>(() =>
            services.GetRequiredService<IDefenderClient>().GetAssessmentAsync(ResourceId, Recommendation, CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("did not answer in time"));
            Assert.That(State.RequestCount(ResourceManagerOperations.GetAssessment), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Latency_within_the_attempt_timeout_is_waited_out()
    {
        Faults.Latency = TimeSpan.FromMilliseconds(100);

        var assessment = await Client.GetAssessmentAsync(ResourceId, Recommendation, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(assessment, Is.Not.Null);
            Assert.That(State.RequestCount(ResourceManagerOperations.GetAssessment), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task An_endpoint_nobody_listens_on_is_unreachable()
    {
        var closed = await ResourceManagerSimulator.StartAsync();
        var address = closed.BaseUri;
        await closed.DisposeAsync();
        using var services = DefenderTestServices.Build(address, new Dictionary<string, string?> { ["Defender:MaxRetryAttempts"] = "1" });

        var error = Assert.ThrowsAsync<ResourceManagerUnreachableException>(() =>
            services.GetRequiredService<IDefenderClient>().GetAssessmentAsync(ResourceId, Recommendation, CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("could not be reached"));
    }

    [TestCase("subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg", "resourceId")]
    [TestCase("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg?x=1", "resourceId")]
    [TestCase("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg#frag", "resourceId")]
    [TestCase("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/../../other", "resourceId")]
    [TestCase("/subscriptions/11111111-1111-1111-1111-111111111111//resourceGroups/rg", "resourceId")]
    [TestCase("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg%2Fother", "resourceId")]
    [TestCase("/subscriptions/not-a-guid/resourceGroups/rg", "resourceId")]
    [TestCase("/providers/Microsoft.Management/managementGroups/g", "resourceId")]
    public void A_resource_id_that_could_address_something_else_is_refused_before_any_request(string resourceId, string field)
    {
        var error = Assert.ThrowsAsync<ValidationException>(() =>
            Client.PutGovernanceAssignmentAsync(resourceId, Recommendation, Key, Assignment(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Errors.Keys, Is.EquivalentTo(new[] { field }));
            Assert.That(State.RequestCounts, Is.Empty);
        });
    }

    [TestCase("..")]
    [TestCase("a/b")]
    [TestCase("a?b")]
    [TestCase("a%2Fb")]
    [TestCase("")]
    [TestCase("a b")]
    public void A_name_or_key_that_is_not_one_safe_segment_is_refused_before_any_request(string value)
    {
        var byName = Assert.ThrowsAsync<ValidationException>(() =>
            Client.GetGovernanceAssignmentAsync(ResourceId, value, Key, CancellationToken.None));
        var byKey = Assert.ThrowsAsync<ValidationException>(() =>
            Client.DeleteGovernanceAssignmentAsync(ResourceId, Recommendation, value, CancellationToken.None));
        var byGroup = Assert.ThrowsAsync<ValidationException>(() =>
            Client.ListManagementGroupDescendantsAsync(value, CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(byName!.Errors.Keys, Is.EquivalentTo(AssessmentName));
            Assert.That(byKey!.Errors.Keys, Is.EquivalentTo(AssignmentKey));
            Assert.That(byGroup!.Errors.Keys, Is.EquivalentTo(ManagementGroupId));
            Assert.That(State.RequestCounts, Is.Empty);
        });
    }

    [Test]
    public async Task A_resource_id_with_unusual_but_legal_characters_addresses_that_resource()
    {
        const string resource = $"/subscriptions/{Subscription}/resourceGroups/rg (prod)/providers/Microsoft.Web/sites/app+1";
        State.SeedAssessment(new SimulatedAssessment(resource, Recommendation, SimulatedAssessmentStatus.Unhealthy));

        await Client.PutGovernanceAssignmentAsync(resource, Recommendation, Key, Assignment(), CancellationToken.None);

        Assert.That(State.FindGovernanceAssignment(resource, Recommendation, Key), Is.Not.Null);
    }

    private sealed class FixedTokenCredential(string token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(token, DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
