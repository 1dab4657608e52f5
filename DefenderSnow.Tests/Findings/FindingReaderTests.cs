using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Findings;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Tests.Defender;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.Findings;

/// <summary>The bulk findings reader against the Resource Manager simulator: paging, mapping, and failures that must surface.</summary>
public class FindingReaderTests : ResourceManagerSimulatorFixture
{
    private const string Subscription = "88888888-8888-4888-8888-888888888888";
    private const string Other = "99999999-9999-4999-8999-999999999999";

    private static readonly string[] SubscriptionIdField = ["subscriptionId"];

    private ServiceProvider _services = null!;
    private FakeTimeProvider _clock = null!;
    private AssessmentSeverityCatalog _severities = null!;

    // Core's reader over the Defender client as AddDefender registers it (sync's end-to-end tests use the app's own).
    private FindingReader Reader => new FindingReader(_services.GetRequiredService<IDefenderClient>(), _severities);

    [SetUp]
    public void SetUp()
    {
        _services = DefenderTestServices.Build(Simulator.BaseUri);
        _clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _severities = new AssessmentSeverityCatalog(_clock, new UnrecognizedSeverityLog(NullLogger<UnrecognizedSeverityLog>.Instance));
        Simulator.State.SeedMetadata(new SimulatedAssessmentMetadata("rec-high", "Encrypt disks", SimulatedSeverity.High));
        Simulator.State.SeedMetadata(new SimulatedAssessmentMetadata("rec-low", "Tag resources", SimulatedSeverity.Low));
    }

    [TearDown]
    public void TearDown() => _services.Dispose();

    [Test]
    public async Task Every_assessment_of_the_subscription_is_read_in_pages_with_its_status_severity_and_type()
    {
        Simulator.State.PageSize = 2;
        Simulator.State.SeedAssessment(new SimulatedAssessment(Vm(1), "rec-high", SimulatedAssessmentStatus.Unhealthy));
        Simulator.State.SeedAssessment(new SimulatedAssessment(Vm(2), "rec-high", SimulatedAssessmentStatus.Healthy));
        Simulator.State.SeedAssessment(new SimulatedAssessment(Vm(3), "rec-high", SimulatedAssessmentStatus.NotApplicable));
        Simulator.State.SeedAssessment(new SimulatedAssessment(Database, "rec-low", SimulatedAssessmentStatus.Unhealthy) { DisplayName = "Tag it" });
        Simulator.State.SeedAssessment(new SimulatedAssessment(Vm(4), "rec-unknown", SimulatedAssessmentStatus.Unhealthy));
        Simulator.State.SeedAssessment(new SimulatedAssessment($"/subscriptions/{Other}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1", "rec-high", SimulatedAssessmentStatus.Unhealthy));

        var findings = await ReadAllAsync(Subscription.ToUpperInvariant());

        Assert.Multiple(() =>
        {
            Assert.That(findings, Is.EquivalentTo(new[]
            {
                new Finding(Subscription, Vm(1), "Microsoft.Compute/virtualMachines", "rec-high", "Encrypt disks", FindingStatus.Unhealthy, "High"),
                new Finding(Subscription, Vm(2), "Microsoft.Compute/virtualMachines", "rec-high", "Encrypt disks", FindingStatus.Healthy, "High"),
                new Finding(Subscription, Vm(3), "Microsoft.Compute/virtualMachines", "rec-high", "Encrypt disks", FindingStatus.NotApplicable, "High"),
                new Finding(Subscription, Database, "Microsoft.Sql/servers/databases", "rec-low", "Tag it", FindingStatus.Unhealthy, "Low"),
                new Finding(Subscription, Vm(4), "Microsoft.Compute/virtualMachines", "rec-unknown", "rec-unknown", FindingStatus.Unhealthy, null),
            }));
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.EqualTo(3), "five assessments in pages of two");
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessmentMetadata), Is.EqualTo(1), "two recommendations in one page of two");
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.ListAssessmentMetadata), Is.Zero, "the subscription's list has the built-ins too");
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.GetAssessment), Is.Zero, "never a call per resource");
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.GetAssessmentMetadata), Is.Zero, "never a call per recommendation");
        });
    }

    [Test]
    public async Task Built_in_severities_come_from_each_subscriptions_list_and_the_tenant_wide_list_is_never_read()
    {
        Simulator.State.SeedAssessment(new SimulatedAssessment(Vm(1), "rec-high", SimulatedAssessmentStatus.Unhealthy));
        Simulator.State.SeedAssessment(new SimulatedAssessment($"/subscriptions/{Other}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1", "rec-low", SimulatedAssessmentStatus.Unhealthy));

        var here = (await ReadAllAsync(Subscription)).Single();
        var there = (await ReadAllAsync(Other)).Single();
        Simulator.State.SeedMetadata(new SimulatedAssessmentMetadata("rec-high", "Encrypt disks", SimulatedSeverity.Medium));
        _clock.Advance(AssessmentSeverityCatalog.Lifetime);
        var later = await ReadAllAsync(Subscription);

        Assert.Multiple(() =>
        {
            Assert.That((here.Severity, there.Severity), Is.EqualTo(("High", "Low")));
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessmentMetadata), Is.EqualTo(3), "one per subscription, and again after the hour");
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.ListAssessmentMetadata), Is.Zero);
            Assert.That(later.Single().Severity, Is.EqualTo("Medium"));
        });
    }

    [Test]
    public async Task A_custom_recommendation_reaches_the_finding_with_its_name_and_severity_in_its_own_subscription_only()
    {
        Simulator.State.SeedSubscriptionMetadata(Subscription, new SimulatedAssessmentMetadata("custom-cmk", "Storage accounts must use our keys", SimulatedSeverity.High)
        {
            AssessmentType = "CustomerManaged",
        });
        Simulator.State.SeedAssessment(new SimulatedAssessment(Vm(1), "custom-cmk", SimulatedAssessmentStatus.Unhealthy));
        Simulator.State.SeedAssessment(new SimulatedAssessment($"/subscriptions/{Other}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1", "custom-cmk", SimulatedAssessmentStatus.Unhealthy));

        var own = (await ReadAllAsync(Subscription)).Single();
        var elsewhere = (await ReadAllAsync(Other)).Single();

        Assert.Multiple(() =>
        {
            Assert.That(own.DisplayName, Is.EqualTo("Storage accounts must use our keys"));
            Assert.That(own.Severity, Is.EqualTo("High"), "from the subscription's metadata: the tenant-wide list has no custom recommendations");
            Assert.That(elsewhere.Severity, Is.Null, "another subscription's custom recommendation is not this one's");
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessmentMetadata), Is.EqualTo(2), "one listing per subscription");
        });
    }

    [Test]
    public async Task A_subscriptions_own_recommendations_are_read_once_an_hour()
    {
        Simulator.State.SeedAssessment(new SimulatedAssessment(Vm(1), "rec-high", SimulatedAssessmentStatus.Unhealthy));

        await ReadAllAsync(Subscription);
        await ReadAllAsync(Subscription.ToUpperInvariant());
        var withinTheHour = Simulator.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessmentMetadata);
        _clock.Advance(AssessmentSeverityCatalog.Lifetime);
        await ReadAllAsync(Subscription);

        Assert.Multiple(() =>
        {
            Assert.That(withinTheHour, Is.EqualTo(1));
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessmentMetadata), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_multicloud_resource_is_named_by_the_scope_its_assessment_lives_under()
    {
        var connector = $"/subscriptions/{Subscription}/resourceGroups/rg/providers/Microsoft.Security/securityConnectors/aws1";
        var resource = $"{connector}/securityentitydata/aws-ec2-instance-i-0abc";
        Simulator.State.SeedAssessment(new SimulatedAssessment(resource, "rec-high", SimulatedAssessmentStatus.Unhealthy) { Source = "Aws" });

        var finding = (await ReadAllAsync(Subscription)).Single();

        Assert.Multiple(() =>
        {
            Assert.That(finding.ResourceId, Is.EqualTo(resource));
            Assert.That(finding.ResourceType, Is.EqualTo("Microsoft.Security/securityConnectors/securityentitydata"));
        });
    }

    [Test]
    public async Task A_subscription_without_assessments_reads_empty()
    {
        Simulator.State.SeedAssessment(new SimulatedAssessment(Vm(1), "rec-high", SimulatedAssessmentStatus.Unhealthy));
        Simulator.State.RemoveAssessment(Vm(1), "rec-high");

        Assert.That(await ReadAllAsync(Subscription), Is.Empty);
    }

    [Test]
    public async Task A_refusal_on_a_later_page_is_thrown_not_read_as_the_end_of_the_list()
    {
        Simulator.State.PageSize = 1;
        Simulator.State.SeedAssessment(new SimulatedAssessment(Vm(1), "rec-high", SimulatedAssessmentStatus.Unhealthy));
        Simulator.State.SeedAssessment(new SimulatedAssessment(Vm(2), "rec-high", SimulatedAssessmentStatus.Unhealthy));
        var enumerator = Reader.ReadSubscriptionAsync(Subscription, CancellationToken.None).GetAsyncEnumerator();
        try
        {
            Assert.That(await enumerator.MoveNextAsync(), Is.True);
            Simulator.Faults.ForbidNext(1, ResourceManagerOperations.ListSubscriptionAssessments);

            var error = Assert.ThrowsAsync<ResourceManagerException>(async () => await enumerator.MoveNextAsync());

            Assert.That(error!.StatusCode, Is.EqualTo(403));
        }
        finally
        {
            await enumerator.DisposeAsync();
        }
    }

    [Test]
    public void A_subscription_without_the_role_is_a_refusal()
    {
        Simulator.State.SeedAssessment(new SimulatedAssessment(Vm(1), "rec-high", SimulatedAssessmentStatus.Unhealthy));
        Simulator.State.RevokeRoles($"/subscriptions/{Subscription}");

        var error = Assert.ThrowsAsync<ResourceManagerException>(() => ReadAllAsync(Subscription));

        Assert.That(error!.Code, Is.EqualTo("AuthorizationFailed"));
    }

    [Test]
    public void An_outage_that_outlasts_the_retries_is_unreachable()
    {
        Simulator.State.SeedAssessment(new SimulatedAssessment(Vm(1), "rec-high", SimulatedAssessmentStatus.Unhealthy));
        Simulator.Faults.FailNext(SimulatorFaults.Always, 503, ResourceManagerOperations.ListSubscriptionAssessments);

        Assert.ThrowsAsync<ResourceManagerUnreachableException>(() => ReadAllAsync(Subscription));
    }

    [TestCase("not-a-guid")]
    [TestCase("../x")]
    [TestCase("")]
    public void A_subscription_id_that_is_not_a_guid_is_refused_before_any_request(string subscriptionId)
    {
        var error = Assert.ThrowsAsync<ValidationException>(() => ReadAllAsync(subscriptionId));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Errors.Keys, Is.EquivalentTo(SubscriptionIdField));
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.Zero);
        });
    }

    [TestCase("/subscriptions/" + Subscription, "Microsoft.Resources/subscriptions")]
    [TestCase("/subscriptions/" + Subscription + "/resourceGroups/rg", "Microsoft.Resources/resourceGroups")]
    [TestCase("/subscriptions/" + Subscription + "/resourceGroups/rg/providers/Microsoft.Web/sites/app/providers/Microsoft.Insights/diagnosticSettings/d", "Microsoft.Insights/diagnosticSettings")]
    public void The_type_of_a_resource_is_read_from_its_id(string resourceId, string type) =>
        Assert.That(ResourceTypes.Of(resourceId), Is.EqualTo(type));

    private static string Vm(int i) => $"/subscriptions/{Subscription}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm{i}";

    private static string Database => $"/subscriptions/{Subscription}/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1/databases/db1";

    private async Task<List<Finding>> ReadAllAsync(string subscriptionId)
    {
        var findings = new List<Finding>();
        await foreach (var finding in Reader.ReadSubscriptionAsync(subscriptionId, CancellationToken.None))
        {
            findings.Add(finding);
        }

        return findings;
    }
}
