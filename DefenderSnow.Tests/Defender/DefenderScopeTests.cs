using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;

namespace DefenderSnow.Tests.Defender;

public class DefenderScopeTests
{
    private static readonly string[] ScopeIdField = ["scope.id"];
    private static readonly string[] ScopeTypeField = ["scope.type"];

    private const string Subscription = "00000000-0000-0000-0000-0000000000AA";

    [Test]
    public void A_management_group_id_is_accepted_and_normalised()
    {
        var scope = DefenderScope.Parse("managementGroup", "/PROVIDERS/microsoft.management/MANAGEMENTGROUPS/Contoso-Root");

        Assert.Multiple(() =>
        {
            Assert.That(scope, Is.EqualTo(new DefenderScope(ScopeType.ManagementGroup, "/providers/Microsoft.Management/managementGroups/Contoso-Root")));
            Assert.That(scope.GetManagementGroupName(), Is.EqualTo("Contoso-Root"));
        });
    }

    [Test]
    public void A_subscription_id_is_accepted_with_a_lower_case_guid()
    {
        var scope = DefenderScope.Parse("subscription", $"/Subscriptions/{Subscription}");

        Assert.That(scope, Is.EqualTo(new DefenderScope(ScopeType.Subscription, $"/subscriptions/{Subscription.ToLowerInvariant()}")));
    }

    [TestCase("connector", ScopeType.Connector)]
    [TestCase("masterConnector", ScopeType.MasterConnector)]
    public void A_connector_id_is_accepted_for_both_connector_types(string type, ScopeType expected)
    {
        var scope = DefenderScope.Parse(type, $"/subscriptions/{Subscription}/resourcegroups/rg-mc/providers/microsoft.security/securityconnectors/aws-org");

        Assert.That(scope, Is.EqualTo(new DefenderScope(expected,
            $"/subscriptions/{Subscription.ToLowerInvariant()}/resourceGroups/rg-mc/providers/Microsoft.Security/securityConnectors/aws-org")));
    }

    [TestCase(ScopeType.ManagementGroup, "managementGroup")]
    [TestCase(ScopeType.Subscription, "subscription")]
    [TestCase(ScopeType.MasterConnector, "masterConnector")]
    [TestCase(ScopeType.Connector, "connector")]
    public void Each_type_has_its_json_name(ScopeType type, string name)
    {
        Assert.Multiple(() =>
        {
            Assert.That(type.ToContract(), Is.EqualTo(name));
            Assert.That(DefenderScope.Parse(name, type switch
            {
                ScopeType.ManagementGroup => "/providers/Microsoft.Management/managementGroups/g",
                ScopeType.Subscription => $"/subscriptions/{Subscription}",
                _ => $"/subscriptions/{Subscription}/resourceGroups/rg/providers/Microsoft.Security/securityConnectors/c",
            }).Type, Is.EqualTo(type));
        });
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("tenant")]
    [TestCase("Subscription")]
    [TestCase("resourceGroup")]
    public void An_unknown_type_is_an_error_on_scope_type(string? type)
    {
        var error = Assert.Throws<ValidationException>(() => DefenderScope.Parse(type, $"/subscriptions/{Subscription}"));

        Assert.That(error!.Errors.Keys, Is.EquivalentTo(ScopeTypeField));
    }

    [TestCase("managementGroup", "/subscriptions/00000000-0000-0000-0000-0000000000aa")]
    [TestCase("managementGroup", "/providers/Microsoft.Management/managementGroups/")]
    [TestCase("managementGroup", "/providers/Microsoft.Management/managementGroups/a/b")]
    [TestCase("managementGroup", "/providers/Microsoft.Management/managementGroups/ends.")]
    [TestCase("managementGroup", "/providers/Microsoft.Management/managementGroups/with?query")]
    [TestCase("subscription", "/subscriptions/not-a-guid")]
    [TestCase("subscription", "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg")]
    [TestCase("subscription", "00000000-0000-0000-0000-0000000000aa")]
    [TestCase("connector", "/subscriptions/00000000-0000-0000-0000-0000000000aa")]
    [TestCase("connector", "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm")]
    [TestCase("masterConnector", "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Security/securityConnectors/c")]
    [TestCase("masterConnector", "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers/Microsoft.Security/securityConnectors/../c")]
    [TestCase("subscription", "   ")]
    public void An_id_of_the_wrong_shape_is_an_error_on_scope_id(string type, string id)
    {
        var error = Assert.Throws<ValidationException>(() => DefenderScope.Parse(type, id));

        Assert.That(error!.Errors.Keys, Is.EquivalentTo(ScopeIdField));
    }
}
