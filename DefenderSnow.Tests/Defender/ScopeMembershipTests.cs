using DefenderSnow.Core.Defender;
using DefenderSnow.Simulators.Defender;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Defender;

/// <summary>Scope membership for each scope type, with management groups looked up in the simulator.</summary>
public class ScopeMembershipTests
{
    private const string Direct = "aaaaaaaa-0000-0000-0000-000000000001";
    private const string TwoLevelsDown = "aaaaaaaa-0000-0000-0000-000000000002";
    private const string Elsewhere = "bbbbbbbb-0000-0000-0000-000000000003";
    private const string Connector = $"/subscriptions/{Direct}/resourceGroups/rg-mc/providers/Microsoft.Security/securityConnectors/aws-prod";

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

        Assert.ThrowsAsync<DefenderSnow.Core.Errors.UpstreamUnreachableException>(() =>
            membership.IsCoveredAsync(Group("root"), Vm(Direct), CancellationToken.None));
        Assert.That(await membership.IsCoveredAsync(Group("root"), Vm(Direct), CancellationToken.None), Is.True);
    }
}
