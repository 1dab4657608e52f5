using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Upstream;
using DefenderSnow.Simulators.Defender;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.Defender;

/// <summary>
/// Every listing of the client against every <c>nextLink</c> shape the simulator serves: the link is called as given,
/// only on the configured endpoint, never twice, and through the same handlers as the first page.
/// </summary>
public sealed class DefenderClientPagingTests
{
    private const string Subscription = "55555555-5555-4555-8555-555555555555";
    private const string ResourceId = $"/subscriptions/{Subscription}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
    private const string Recommendation = "4fb67663-9ab9-475d-b026-8c544cced439";
    private const int Items = 3;

    private static readonly NextLinkShape[] ServedShapes =
        [NextLinkShape.SkipToken, NextLinkShape.SkipTokenCamelCase, NextLinkShape.ExtraParameters, NextLinkShape.EmptyPageWithLink];

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private ResourceManagerSimulator _simulator = null!;
    private ServiceProvider _services = null!;

    public enum Listing
    {
        SubscriptionAssessments,
        SubscriptionAssessmentMetadata,
        GovernanceAssignments,
        ManagementGroupDescendants,
        SecurityConnectors,
        ResourceTags,
    }

    private ResourceManagerState State => _simulator.State;

    private IDefenderClient Client => _services.GetRequiredService<IDefenderClient>();

    [OneTimeSetUp]
    public async Task StartSimulator() => _simulator = await ResourceManagerSimulator.StartAsync(new ResourceManagerSimulatorOptions { TimeProvider = _clock });

    [OneTimeTearDown]
    public async Task StopSimulator() => await _simulator.DisposeAsync();

    [SetUp]
    public void SetUp()
    {
        State.Reset();
        // No retries: on the frozen clock a retry would wait for ever, and a client that followed a link it must not
        // should fail here, not hang.
        _services = DefenderTestServices.Build(_simulator.BaseUri, new Dictionary<string, string?> { ["Defender:MaxRetryAttempts"] = "0" }, timeProvider: _clock);
    }

    [TearDown]
    public async Task TearDown() => await _services.DisposeAsync();

    [Test]
    public async Task Every_listing_reads_every_item_whatever_shape_its_next_links_take(
        [Values] Listing listing, [ValueSource(nameof(ServedShapes))] NextLinkShape shape)
    {
        await SeedAsync(listing);
        State.PageSize = 1;
        State.NextLinkShape = shape;

        var read = await ReadAsync(listing);

        Assert.Multiple(() =>
        {
            Assert.That(read, Has.Count.EqualTo(Items), "every item, none twice");
            Assert.That(read.Distinct(StringComparer.OrdinalIgnoreCase).Count(), Is.EqualTo(Items));
            Assert.That(State.RequestCount(OperationOf(listing)), Is.EqualTo(shape == NextLinkShape.EmptyPageWithLink ? 2 * Items : Items), "one request per page served");
        });
    }

    [Test]
    public async Task An_empty_page_that_carries_a_next_link_does_not_end_the_listing()
    {
        await SeedAsync(Listing.SubscriptionAssessments, count: 5);
        State.PageSize = 2;
        State.NextLinkShape = NextLinkShape.EmptyPageWithLink;

        var read = await ReadAsync(Listing.SubscriptionAssessments);

        Assert.Multiple(() =>
        {
            Assert.That(read, Has.Count.EqualTo(5), "the items after the first empty page are read too");
            Assert.That(State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.EqualTo(6), "[2] [] [2] [] [1] []");
        });
    }

    [TestCase("another host")]
    [TestCase("another port")]
    [TestCase("another scheme")]
    public async Task A_next_link_off_the_configured_endpoint_is_refused_and_never_called(string elsewhere)
    {
        await SeedAsync(Listing.ManagementGroupDescendants);
        State.PageSize = 1;
        var endpoint = _simulator.BaseUri;
        var origin = elsewhere switch
        {
            "another host" => new Uri("https://attacker.example"),
            "another port" => new UriBuilder(endpoint) { Port = endpoint.Port == 1 ? 2 : 1 }.Uri,
            _ => new UriBuilder(endpoint) { Scheme = "http", Port = endpoint.Port }.Uri,
        };
        State.NextLinkBase = origin;

        var error = Assert.ThrowsAsync<ResourceManagerLinkRefusedException>(() => ReadAsync(Listing.ManagementGroupDescendants));

        Assert.Multiple(() =>
        {
            Assert.That(error!.RefusedOrigin, Is.EqualTo(origin.GetLeftPart(UriPartial.Authority)));
            Assert.That(error.Operation, Is.EqualTo(ResourceManagerOperations.ListManagementGroupDescendants));
            Assert.That(error.Kind, Is.EqualTo(DomainErrorKind.Unreachable), "maps like any unusable answer");
            Assert.That(State.RequestCount(ResourceManagerOperations.ListManagementGroupDescendants), Is.EqualTo(1), "only the first page was asked for");
        });
    }

    [Test]
    public async Task A_next_link_that_repeats_an_earlier_one_is_refused()
    {
        await SeedAsync(Listing.SecurityConnectors);
        State.PageSize = 1;
        State.NextLinkShape = NextLinkShape.Repeating;
        State.Throttling.Configure(ThrottledRequestKind.Read, 100_000, refillPerSecond: 1);

        var error = Assert.ThrowsAsync<ResourceManagerUnreachableException>(() => ReadAsync(Listing.SecurityConnectors));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("repeats"));
            Assert.That(State.RequestCount(ResourceManagerOperations.ListSecurityConnectors), Is.EqualTo(2), "the first page, and its link once");
        });
    }

    [Test]
    public async Task Next_links_run_through_the_same_handlers_as_the_first_page()
    {
        State.Throttling.Configure(ThrottledRequestKind.Read, 10, refillPerSecond: 0.001);
        await SeedAsync(Listing.SubscriptionAssessments);
        State.PageSize = 1;
        State.NextLinkShape = NextLinkShape.ExtraParameters;
        var tally = _services.GetRequiredService<UpstreamRequestMeter>().Begin();

        await ReadAsync(Listing.SubscriptionAssessments);

        Assert.Multiple(() =>
        {
            // The simulator refuses a request without a valid bearer token: three answered pages were three authenticated requests.
            Assert.That(State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.EqualTo(Items));
            Assert.That(tally.ResourceManager, Is.EqualTo(Items), "each page counted once by the request meter");
            Assert.That(_services.GetRequiredService<SubscriptionPacer>().KnownRemaining(Subscription, "reads"), Is.EqualTo(10 - Items),
                "the throttle observer saw the answer to every page, so the pacer paces the pages too");
        });
    }

    private async Task SeedAsync(Listing listing, int count = Items)
    {
        var names = Enumerable.Range(1, count).Select(i => $"item-{i}").ToList();
        switch (listing)
        {
            case Listing.SubscriptionAssessments:
                names.ForEach(n => State.SeedAssessment(new SimulatedAssessment(ResourceId.Replace("vm1", n, StringComparison.Ordinal), Recommendation, SimulatedAssessmentStatus.Unhealthy)));
                break;
            case Listing.SubscriptionAssessmentMetadata:
                // Built-in and custom recommendations alike: the subscription's list holds both.
                for (var i = 0; i < names.Count; i++)
                {
                    var metadata = new SimulatedAssessmentMetadata(Guid.NewGuid().ToString("D"), names[i], SimulatedSeverity.Medium);
                    if (i % 2 == 0)
                    {
                        State.SeedMetadata(metadata);
                    }
                    else
                    {
                        State.SeedSubscriptionMetadata(Subscription, metadata);
                    }
                }

                break;
            case Listing.GovernanceAssignments:
                State.SeedAssessment(new SimulatedAssessment(ResourceId, Recommendation, SimulatedAssessmentStatus.Unhealthy));
                foreach (var key in names)
                {
                    await Client.PutGovernanceAssignmentAsync(ResourceId, Recommendation, key, new GovernanceAssignment { RemediationDueDate = _clock.GetUtcNow().AddDays(30) }, CancellationToken.None);
                }

                break;
            case Listing.ManagementGroupDescendants:
                State.AddManagementGroup(new SimulatedManagementGroup("root", null));
                names.ForEach(n => State.AddManagementGroup(new SimulatedManagementGroup(n, "root")));
                break;
            case Listing.SecurityConnectors:
                names.ForEach(n => State.AddSecurityConnector(new SimulatedSecurityConnector(
                    $"/subscriptions/{Subscription}/resourceGroups/rg/providers/Microsoft.Security/securityConnectors/{n}", n)));
                break;
            case Listing.ResourceTags:
                names.ForEach(n => State.SetTags(ResourceId.Replace("vm1", n, StringComparison.Ordinal), new Dictionary<string, string> { ["owner"] = n }));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(listing), listing, null);
        }
    }

    /// <summary>What the listing read, one string per item.</summary>
    private async Task<IReadOnlyList<string>> ReadAsync(Listing listing) => listing switch
    {
        Listing.SubscriptionAssessments => await Client.ListSubscriptionAssessmentsAsync(Subscription, CancellationToken.None).Select(a => a.ResourceId).ToListAsync(),
        Listing.SubscriptionAssessmentMetadata => (await Client.ListSubscriptionAssessmentMetadataAsync(Subscription, CancellationToken.None)).Select(m => m.Name).ToList(),
        Listing.GovernanceAssignments => (await Client.ListGovernanceAssignmentsAsync(ResourceId, Recommendation, CancellationToken.None)).Select(a => a.AssignmentKey).ToList(),
        Listing.ManagementGroupDescendants => (await Client.ListManagementGroupDescendantsAsync("root", CancellationToken.None)).Select(d => d.Id).ToList(),
        Listing.SecurityConnectors => (await Client.ListSecurityConnectorsAsync(Subscription, CancellationToken.None)).Select(c => c.Id).ToList(),
        Listing.ResourceTags => (await Client.ListResourceTagsAsync(Subscription, CancellationToken.None)).Keys.ToList(),
        _ => throw new ArgumentOutOfRangeException(nameof(listing), listing, null),
    };

    private static string OperationOf(Listing listing) => listing switch
    {
        Listing.SubscriptionAssessments => ResourceManagerOperations.ListSubscriptionAssessments,
        Listing.SubscriptionAssessmentMetadata => ResourceManagerOperations.ListSubscriptionAssessmentMetadata,
        Listing.GovernanceAssignments => ResourceManagerOperations.ListGovernanceAssignments,
        Listing.ManagementGroupDescendants => ResourceManagerOperations.ListManagementGroupDescendants,
        Listing.SecurityConnectors => ResourceManagerOperations.ListSecurityConnectors,
        Listing.ResourceTags => ResourceManagerOperations.ListResources,
        _ => throw new ArgumentOutOfRangeException(nameof(listing), listing, null),
    };
}
