using DefenderSnow.Core.Defender;
using DefenderSnow.Simulators.Defender;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Defender;

/// <summary>
/// Resource Manager's refusals reach the caller as problems that say what to do (issue 9): for a 403, which role is
/// missing at which scope; for a 404, that the recommendation is gone; for a 409, that something else is changing it.
/// </summary>
[TestFixture]
public sealed class DefenderClientRefusalTests
{
    private const string Subscription = "11111111-1111-1111-1111-111111111111";
    private const string ResourceId = $"/subscriptions/{Subscription}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm1";
    private const string Recommendation = "4fb67663-9ab9-475d-b026-8c544cced439";
    private const string Key = "0d4bc1ad-6c0c-4b4b-9a48-7e3b4c1f2a10";

    private ResourceManagerSimulator _simulator = null!;
    private ServiceProvider _services = null!;

    [OneTimeSetUp]
    public async Task StartSimulator() => _simulator = await ResourceManagerSimulator.StartAsync();

    [OneTimeTearDown]
    public async Task StopSimulator() => await _simulator.DisposeAsync();

    [SetUp]
    public void SetUp()
    {
        _simulator.State.Reset();
        _simulator.State.SeedAssessment(new SimulatedAssessment(ResourceId, Recommendation, SimulatedAssessmentStatus.Unhealthy));
        _services = DefenderTestServices.Build(_simulator.BaseUri);
    }

    [TearDown]
    public async Task TearDown() => await _services.DisposeAsync();

    private IDefenderClient Client => _services.GetRequiredService<IDefenderClient>();

    private static GovernanceAssignment Assignment => new() { Owner = "owner@contoso.com", RemediationDueDate = new DateTimeOffset(2030, 1, 31, 0, 0, 0, TimeSpan.Zero) };

    [Test]
    public void A_missing_role_names_the_role_the_action_and_the_scope()
    {
        _simulator.State.RevokeRoles($"/subscriptions/{Subscription}");

        var error = Assert.ThrowsAsync<ResourceManagerException>(() => Client.PutGovernanceAssignmentAsync(ResourceId, Recommendation, Key, Assignment, CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(403));
            Assert.That(error.Code, Is.EqualTo("AuthorizationFailed"));
            Assert.That(error.Message, Does.StartWith("DefenderSnow's identity has no role allowing 'Microsoft.Security/assessments/governanceAssignments/write' at scope '/subscriptions/"));
            Assert.That(error.Message, Does.Contain("DefenderSnow Defender governance role"), "names the least-privilege role infra/ deploys");
            Assert.That(_simulator.State.RequestCount(ResourceManagerOperations.PutGovernanceAssignment), Is.EqualTo(1), "a 403 is not retried");
        });
    }

    [Test]
    public void A_missing_parent_says_the_recommendation_may_be_gone()
    {
        var error = Assert.ThrowsAsync<ResourceManagerException>(() =>
            Client.PutGovernanceAssignmentAsync(ResourceId, "00000000-0000-0000-0000-000000000001", Key, Assignment, CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo("ParentResourceNotFound"));
        Assert.That(error.Message, Does.Contain("the recommendation or resource may no longer exist"));
    }

    [Test]
    public void A_conflict_says_another_change_is_in_progress()
    {
        _simulator.Faults.FailNext(1, 409, ResourceManagerOperations.PutGovernanceAssignment);

        var error = Assert.ThrowsAsync<ResourceManagerException>(() => Client.PutGovernanceAssignmentAsync(ResourceId, Recommendation, Key, Assignment, CancellationToken.None));

        Assert.That(error!.StatusCode, Is.EqualTo(409));
        Assert.That(error.Message, Does.Contain("conflicting change to the same resource"));
    }
}
