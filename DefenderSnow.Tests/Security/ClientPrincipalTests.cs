using DefenderSnow.Functions.Security;

namespace DefenderSnow.Tests.Security;

public sealed class ClientPrincipalTests
{
    [Test]
    public void Reads_the_name_and_the_app_roles()
    {
        Assert.That(ClientPrincipal.TryParse(Principals.Header("alice@contoso.com", AppRoles.Read, AppRoles.SyncRun), out var principal), Is.True);

        Assert.That(principal!.Name, Is.EqualTo("alice@contoso.com"));
        Assert.That(principal.Roles, Is.EquivalentTo(new[] { AppRoles.Read, AppRoles.SyncRun }));
    }

    [Test]
    public void Roles_may_come_under_the_declared_role_type()
    {
        var header = Principals.Encode(new
        {
            auth_typ = "aad",
            role_typ = Principals.RoleType,
            claims = new[] { new { typ = Principals.RoleType, val = AppRoles.AssignmentsManage }, new { typ = "name", val = "bob" } },
        });

        Assert.That(ClientPrincipal.TryParse(header, out var principal), Is.True);
        Assert.That(principal!.Roles, Is.EquivalentTo(new[] { AppRoles.AssignmentsManage }));
        Assert.That(principal.Name, Is.EqualTo("bob"));
    }

    [Test]
    public void A_service_principal_without_a_name_is_named_by_its_application_id()
    {
        var header = Principals.Encode(new
        {
            auth_typ = "aad",
            claims = new[] { new { typ = "roles", val = AppRoles.SyncRun }, new { typ = "appid", val = "11111111-2222-3333-4444-555555555555" } },
        });

        Assert.That(ClientPrincipal.TryParse(header, out var principal), Is.True);
        Assert.That(principal!.Name, Is.EqualTo("11111111-2222-3333-4444-555555555555"));
    }

    [Test]
    public void Control_characters_are_removed_from_the_name_and_it_is_bounded()
    {
        Assert.That(ClientPrincipal.TryParse(Principals.Header("eve\r\nadmin" + new string('x', 1000), AppRoles.Read), out var principal), Is.True);

        Assert.That(principal!.Name, Does.StartWith("eveadmin"));
        Assert.That(principal.Name!.Length, Is.EqualTo(256));
    }

    private static IEnumerable<TestCaseData> Malformed()
    {
        yield return new TestCaseData("").SetName("empty");
        yield return new TestCaseData("not base64 !!").SetName("bad base64");
        yield return new TestCaseData(Principals.Encode("not json")).SetName("bad JSON");
        yield return new TestCaseData(Principals.Encode("[]")).SetName("not an object");
        yield return new TestCaseData(Principals.Encode("{}")).SetName("no claims");
        yield return new TestCaseData(Principals.Encode("""{"claims":[]}""")).SetName("empty claims");
        yield return new TestCaseData(Principals.Encode("""{"claims":{"typ":"roles"}}""")).SetName("claims not a list");
        yield return new TestCaseData(Principals.Encode("""{"claims":[{"typ":1,"val":"x"}]}""")).SetName("claim type not a string");
        yield return new TestCaseData(Principals.Encode("""{"claims":[{"typ":"roles"}]}""")).SetName("claim without value");
        yield return new TestCaseData(Principals.Encode("""{"claims":[ "roles" ]}""")).SetName("claim not an object");
        yield return new TestCaseData(Principals.Encode("{\"claims\":[{\"typ\":\"roles\",\"val\":\"x\"}],\"n\":" + new string('[', 64) + new string(']', 64) + "}")).SetName("deep nesting");
        yield return new TestCaseData(Principals.Header("x", Enumerable.Repeat(AppRoles.Read, 2000).ToArray())).SetName("huge header");
    }

    [TestCaseSource(nameof(Malformed))]
    public void A_malformed_principal_is_not_read(string header)
    {
        Assert.That(ClientPrincipal.TryParse(header, out var principal), Is.False);
        Assert.That(principal, Is.Null);
    }
}
