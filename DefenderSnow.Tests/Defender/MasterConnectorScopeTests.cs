using System.Net.Http.Json;
using DefenderSnow.Core.Defender;
using DefenderSnow.Simulators.Defender;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Defender;

/// <summary>
/// A master connector covers the resources of its member connectors, found through the security connectors API by
/// their organisational hierarchy fields; other connectors of the subscription are not covered.
/// </summary>
public sealed class MasterConnectorScopeTests
{
    private const string Subscription = "cccccccc-0000-0000-0000-000000000001";
    private const string Prefix = $"/subscriptions/{Subscription}/resourceGroups/rg-mc/providers/Microsoft.Security/securityConnectors/";
    private const string Master = Prefix + "aws-org";
    private const string Member = Prefix + "aws-member-111111111111";
    private const string OtherOrganizationMember = Prefix + "aws-member-333333333333";
    private const string Standalone = Prefix + "aws-single";

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
        state.PageSize = 2;
        state.AddSecurityConnector(new SimulatedSecurityConnector(Master, "999999999999", "AWS", "Organization"));
        state.AddSecurityConnector(new SimulatedSecurityConnector(Member, "111111111111", "AWS", "Member", ParentHierarchyId: "999999999999"));
        state.AddSecurityConnector(new SimulatedSecurityConnector(OtherOrganizationMember, "333333333333", "AWS", "Member", ParentHierarchyId: "888888888888"));
        state.AddSecurityConnector(new SimulatedSecurityConnector(Standalone, "222222222222", "AWS"));
        _services = DefenderTestServices.Build(_simulator.BaseUri);
    }

    [TearDown]
    public async Task TearDown() => await _services.DisposeAsync();

    [Test]
    public async Task A_master_connector_covers_its_own_and_its_members_resources_only()
    {
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
        var scope = DefenderScope.Parse("connector", Master);
        using var scoped = _services.CreateScope();

        Assert.That(await scoped.ServiceProvider.GetRequiredService<IScopeMembership>().IsCoveredAsync(scope, Member + "/x/y", CancellationToken.None), Is.False);
        Assert.That(_simulator.State.RequestCount(ResourceManagerOperations.ListSecurityConnectors), Is.Zero);
    }

    [Test]
    public async Task The_simulator_lists_connectors_in_the_specifications_shape()
    {
        var client = _services.GetRequiredService<IDefenderClient>();

        var connectors = await client.ListSecurityConnectorsAsync(Subscription, CancellationToken.None);

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
        var added = Prefix + "gcp-member";
        using var http = _simulator.CreateTrustingClient();

        var response = await http.PostAsJsonAsync("_sim/arm/securityConnectors", new[]
        {
            new { id = added, hierarchyIdentifier = "4444", environmentName = "GCP", membershipType = "Member", parentHierarchyId = "5555" },
        });
        var connectors = await _services.GetRequiredService<IDefenderClient>().ListSecurityConnectorsAsync(Subscription, CancellationToken.None);

        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        Assert.That(connectors.Single(c => c.Id == added).ParentHierarchyId, Is.EqualTo("5555"));
    }
}
