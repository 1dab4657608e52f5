using System.Net.Http.Json;
using DefenderSnow.Core.Defender;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Defender;

/// <summary>Scope membership for each scope type, with management groups and security connectors looked up in the simulator.</summary>
public class ScopeMembershipTests
{
    private const string Direct = "aaaaaaaa-0000-0000-0000-000000000001";
    private const string TwoLevelsDown = "aaaaaaaa-0000-0000-0000-000000000002";
    private const string Elsewhere = "bbbbbbbb-0000-0000-0000-000000000003";
    private const string Connector = $"/subscriptions/{Direct}/resourceGroups/rg-mc/providers/Microsoft.Security/securityConnectors/aws-prod";
    private const string Organization = "cccccccc-0000-0000-0000-000000000001";
    private const string OrgPrefix = $"/subscriptions/{Organization}/resourceGroups/rg-org/providers/Microsoft.Security/securityConnectors/";
    private const string Master = OrgPrefix + "aws-org";
    private const string Member = OrgPrefix + "aws-member-111111111111";
    private const string OtherOrganizationMember = OrgPrefix + "aws-member-333333333333";
    private const string Standalone = OrgPrefix + "aws-single";

    private ResourceManagerSimulator _simulator = null!;
    private ServiceProvider _services = null!;

    [OneTimeSetUp]
    public async Task StartSimulator() => _simulator = await ResourceManagerSimulator.StartAsync();

    [OneTimeTearDown]
    public async Task StopSimulator() => await _simulator.DisposeAsync();

    [SetUp]
    public void SetUp()
    {
        var state = _simulator.State;
        state.Reset();
        // root ─┬─ Direct
        //       └─ platform ── workloads ── TwoLevelsDown
        // other ── Elsewhere
        state.AddManagementGroup(new SimulatedManagementGroup("root", null));
        state.AddManagementGroup(new SimulatedManagementGroup("platform", "root"));
        state.AddManagementGroup(new SimulatedManagementGroup("workloads", "platform"));
        state.AddManagementGroup(new SimulatedManagementGroup("other", null));
        state.AddSubscription(new SimulatedSubscription(Direct, "root"));
        state.AddSubscription(new SimulatedSubscription(TwoLevelsDown, "workloads"));
        state.AddSubscription(new SimulatedSubscription(Elsewhere, "other"));
        _services = DefenderTestServices.Build(_simulator.BaseUri);
    }

    [TearDown]
    public async Task TearDown() => await _services.DisposeAsync();

    private static string Vm(string subscription, string name = "vm1") =>
        $"/subscriptions/{subscription}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/{name}";

    private async Task<bool> IsCoveredAsync(DefenderScope scope, string resourceId)
    {
        using var scoped = _services.CreateScope();
        return await scoped.ServiceProvider.GetRequiredService<IScopeMembership>().IsCoveredAsync(scope, resourceId, CancellationToken.None);
    }

    private static DefenderScope Group(string name) => DefenderScope.Parse("managementGroup", $"/providers/Microsoft.Management/managementGroups/{name}");

    [Test]
    public async Task A_management_group_covers_a_subscription_directly_below_it()
    {
        Assert.That(await IsCoveredAsync(Group("root"), Vm(Direct)), Is.True);
    }

    [Test]
    public async Task A_management_group_covers_a_subscription_two_levels_below_it()
    {
        Assert.Multiple(async () =>
        {
            Assert.That(await IsCoveredAsync(Group("root"), Vm(TwoLevelsDown)), Is.True);
            Assert.That(await IsCoveredAsync(Group("platform"), Vm(TwoLevelsDown)), Is.True);
            Assert.That(await IsCoveredAsync(Group("platform"), Vm(Direct)), Is.False, "a sibling subscription of the group is not below it");
        });
    }

    [Test]
    public async Task A_resource_outside_every_scope_is_not_covered()
    {
        var scopes = new[]
        {
            Group("root"),
            DefenderScope.Parse("subscription", $"/subscriptions/{Direct}"),
            DefenderScope.Parse("connector", Connector),
            DefenderScope.Parse("masterConnector", Connector),
        };

        foreach (var scope in scopes)
        {
            Assert.That(await IsCoveredAsync(scope, Vm(Elsewhere)), Is.False, scope.ToString());
        }
    }

    [Test]
    public async Task A_subscription_covers_its_resources_and_itself_only()
    {
        var scope = DefenderScope.Parse("subscription", $"/subscriptions/{Direct}");

        Assert.Multiple(async () =>
        {
            Assert.That(await IsCoveredAsync(scope, Vm(Direct)), Is.True);
            Assert.That(await IsCoveredAsync(scope, Vm(Direct).ToUpperInvariant().Replace("/SUBSCRIPTIONS/", "/subscriptions/")), Is.True, "ids compare without regard to case");
            Assert.That(await IsCoveredAsync(scope, $"/subscriptions/{Direct}"), Is.True);
            Assert.That(await IsCoveredAsync(scope, Vm(TwoLevelsDown)), Is.False);
            Assert.That(_simulator.State.RequestCounts, Is.Empty, "a subscription scope needs no look-up");
        });
    }

    [TestCase("connector")]
    [TestCase("masterConnector")]
    public async Task A_connector_covers_the_resources_defender_reads_through_it(string type)
    {
        var scope = DefenderScope.Parse(type, Connector);

        Assert.Multiple(async () =>
        {
            Assert.That(await IsCoveredAsync(scope, $"{Connector}/securityentitydata/aws-ec2-instance-i-0123456789"), Is.True);
            Assert.That(await IsCoveredAsync(scope, $"{Connector}2/securityentitydata/aws-ec2-instance-i-0123456789"), Is.False, "a connector whose name merely starts the same");
            Assert.That(await IsCoveredAsync(scope, Vm(Direct)), Is.False, "an Azure resource of the connector's subscription");
        });
    }

    [Test]
    public async Task Descendants_are_looked_up_once_per_request_or_run()
    {
        using (var scoped = _services.CreateScope())
        {
            var membership = scoped.ServiceProvider.GetRequiredService<IScopeMembership>();
            await membership.IsCoveredAsync(Group("root"), Vm(Direct), CancellationToken.None);
            await membership.IsCoveredAsync(Group("root"), Vm(TwoLevelsDown), CancellationToken.None);
            await membership.IsCoveredAsync(Group("ROOT"), Vm(Elsewhere), CancellationToken.None);
        }

        var fresh = _services.GetRequiredService<IScopeMembershipFactory>().Create();
        await fresh.IsCoveredAsync(Group("root"), Vm(Direct), CancellationToken.None);

        Assert.That(_simulator.State.RequestCount(ResourceManagerOperations.ListManagementGroupDescendants), Is.EqualTo(2));
    }

    [Test]
    public async Task A_failed_look_up_is_not_remembered()
    {
        var membership = _services.GetRequiredService<IScopeMembershipFactory>().Create();
        _simulator.Faults.FailNext(4, 503, retryAfter: TimeSpan.Zero);

        Assert.ThrowsAsync<ResourceManagerUnreachableException>(() =>
            membership.IsCoveredAsync(Group("root"), Vm(Direct), CancellationToken.None));
        Assert.That(await membership.IsCoveredAsync(Group("root"), Vm(Direct), CancellationToken.None), Is.True);
    }

    [Test]
    public async Task A_caller_that_cancels_does_not_fail_the_others_waiting_for_the_same_look_up()
    {
        var membership = _services.GetRequiredService<IScopeMembershipFactory>().Create();
        _simulator.Faults.DelayNext(SimulatorFaults.Always, TimeSpan.FromMilliseconds(500), ResourceManagerOperations.ListManagementGroupDescendants);
        using var impatient = new CancellationTokenSource();

        // The first caller starts the shared look-up with its own token; the second joins it.
        var first = membership.IsCoveredAsync(Group("root"), Vm(Direct), impatient.Token);
        var second = membership.IsCoveredAsync(Group("root"), Vm(TwoLevelsDown), CancellationToken.None);
        await impatient.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() => first);
        Assert.That(await second, Is.True, "the patient caller still gets its answer");
        Assert.That(await membership.IsCoveredAsync(Group("root"), Vm(Direct), CancellationToken.None), Is.True);
        Assert.That(_simulator.State.RequestCount(ResourceManagerOperations.ListManagementGroupDescendants), Is.EqualTo(1), "one look-up served all three");
    }

    [Test]
    public async Task A_master_connector_covers_its_own_and_its_members_resources_only()
    {
        SeedOrganization();
        _simulator.State.PageSize = 2;
        var scope = DefenderScope.Parse("masterConnector", Master);
        using var scoped = _services.CreateScope();
        var membership = scoped.ServiceProvider.GetRequiredService<IScopeMembership>();

        Assert.That(await membership.IsCoveredAsync(scope, Master + "/securityentitydata/aws-ec2-instance-i-1", CancellationToken.None), Is.True);
        Assert.That(await membership.IsCoveredAsync(scope, Member + "/securityentitydata/aws-ec2-instance-i-2", CancellationToken.None), Is.True);
        Assert.That(await membership.IsCoveredAsync(scope, OtherOrganizationMember + "/securityentitydata/aws-ec2-instance-i-3", CancellationToken.None), Is.False);
        Assert.That(await membership.IsCoveredAsync(scope, Standalone + "/securityentitydata/aws-ec2-instance-i-4", CancellationToken.None), Is.False);
        Assert.That(_simulator.State.RequestCount(ResourceManagerOperations.ListSecurityConnectors), Is.EqualTo(2), "one listing of two pages, remembered for the request");
    }

    [Test]
    public async Task A_plain_connector_does_not_cover_its_siblings()
    {
        SeedOrganization();
        var scope = DefenderScope.Parse("connector", Master);
        using var scoped = _services.CreateScope();

        Assert.That(await scoped.ServiceProvider.GetRequiredService<IScopeMembership>().IsCoveredAsync(scope, Member + "/x/y", CancellationToken.None), Is.False);
        Assert.That(_simulator.State.RequestCount(ResourceManagerOperations.ListSecurityConnectors), Is.Zero);
    }

    [Test]
    public async Task The_simulator_lists_connectors_in_the_specifications_shape()
    {
        SeedOrganization();
        var client = _services.GetRequiredService<IDefenderClient>();

        var connectors = await client.ListSecurityConnectorsAsync(Organization, CancellationToken.None);

        Assert.That(connectors.Select(c => c.Id), Is.EquivalentTo(new[] { Master, Member, OtherOrganizationMember, Standalone }));
        var member = connectors.Single(c => c.Id == Member);
        Assert.That(member.MembershipType, Is.EqualTo("Member"));
        Assert.That(member.ParentHierarchyId, Is.EqualTo("999999999999"));
        Assert.That(member.EnvironmentName, Is.EqualTo("AWS"));
        Assert.That(connectors.Single(c => c.Id == Standalone).MembershipType, Is.Null);
    }

    [Test]
    public async Task Connectors_can_be_added_over_the_control_endpoint()
    {
        SeedOrganization();
        var added = OrgPrefix + "gcp-member";
        using var http = _simulator.CreateTrustingClient();

        var response = await http.PostAsJsonAsync("_sim/arm/securityConnectors", new[]
        {
            new { id = added, hierarchyIdentifier = "4444", environmentName = "GCP", membershipType = "Member", parentHierarchyId = "5555" },
        });
        var connectors = await _services.GetRequiredService<IDefenderClient>().ListSecurityConnectorsAsync(Organization, CancellationToken.None);

        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        Assert.That(connectors.Single(c => c.Id == added).ParentHierarchyId, Is.EqualTo("5555"));
    }

    /// <summary>
    /// An AWS organisation in subscription <see cref="Organization"/>: its master connector, one member, a member of
    /// another organisation, and a connector for a single account.
    /// </summary>
    private void SeedOrganization()
    {
        var state = _simulator.State;
        state.AddSecurityConnector(new SimulatedSecurityConnector(Master, "999999999999", "AWS", "Organization"));
        state.AddSecurityConnector(new SimulatedSecurityConnector(Member, "111111111111", "AWS", "Member", ParentHierarchyId: "999999999999"));
        state.AddSecurityConnector(new SimulatedSecurityConnector(OtherOrganizationMember, "333333333333", "AWS", "Member", ParentHierarchyId: "888888888888"));
        state.AddSecurityConnector(new SimulatedSecurityConnector(Standalone, "222222222222", "AWS"));
    }
}
