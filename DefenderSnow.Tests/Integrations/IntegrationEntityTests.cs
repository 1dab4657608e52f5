using System.Text.Json;
using DefenderSnow.Core.Access;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Tests.Integrations;

/// <summary>A stored row is read back exactly, or not at all: a corrupt row fails loudly, naming itself.</summary>
public sealed class IntegrationEntityTests
{
    private static readonly string[] Impact = ["impact"];

    private const string Id = "0123456789abcdef0123456789abcdef";

    [Test]
    public void A_row_reads_back_as_the_integration_it_was_written_from()
    {
        var integration = Sample();

        var read = IntegrationEntity.From(integration).ToModel().Value;

        Assert.That(read with { Fields = integration.Fields, TicketTypes = integration.TicketTypes, Warnings = integration.Warnings, Access = integration.Access, NeedsAttention = integration.NeedsAttention }, Is.EqualTo(integration));
        Assert.That(read.Fields.For("incident"), Is.EqualTo(Impact));
        Assert.That(JsonSerializer.Serialize(read.TicketTypes), Is.EqualTo(JsonSerializer.Serialize(integration.TicketTypes)));
        Assert.That(read.Warnings, Is.EqualTo(integration.Warnings));
        Assert.That(read.Access, Is.EqualTo(integration.Access).Using<AccessEntry>((a, b) => a.PrincipalId == b.PrincipalId && a.Roles.SequenceEqual(b.Roles)));
        Assert.That(read.NeedsAttention, Is.EqualTo(integration.NeedsAttention));
    }

    [Test]
    public void A_row_written_before_on_resource_healthy_existed_reads_as_note_and_a_setting_round_trips()
    {
        var older = IntegrationEntity.From(Sample());
        older.OnResourceHealthy = null;
        var resolving = IntegrationEntity.From(Sample() with { OnResourceHealthy = ResourceHealthyAction.Resolve });

        Assert.Multiple(() =>
        {
            Assert.That(older.ToModel().Value.OnResourceHealthy, Is.EqualTo(ResourceHealthyAction.Note));
            Assert.That(resolving.OnResourceHealthy, Is.EqualTo("Resolve"));
            Assert.That(resolving.ToModel().Value.OnResourceHealthy, Is.EqualTo(ResourceHealthyAction.Resolve));
        });
    }

    public static IEnumerable<TestCaseData> Corruptions()
    {
        yield return Case("an unknown scope type", e => e.ScopeType = "tenant", "scope type 'tenant'");
        yield return Case("an empty scope type", e => e.ScopeType = string.Empty, "scope type");
        yield return Case("a scope type in another case", e => e.ScopeType = "ManagementGroup", "scope type 'ManagementGroup'");
        yield return Case("an unknown status", e => e.Status = "Sleeping", "status 'Sleeping'");
        yield return Case("a status given as a number", e => e.Status = "1", "status '1'");
        yield return Case("an unknown field mode", e => e.FieldMode = "Fancy", "field mode 'Fancy'");
        yield return Case("an unknown onResourceHealthy action", e => e.OnResourceHealthy = "Ignore", "onResourceHealthy action 'Ignore'");
        yield return Case("a relative instance URL", e => e.InstanceUrl = "contoso.service-now.com", "instance URL");
        yield return Case("fields that are not JSON", e => e.FieldsJson = "{incident", "ticket fields");
        yield return Case("fields that are JSON null", e => e.FieldsJson = "null", "ticket fields");
    }

    [TestCaseSource(nameof(Corruptions))]
    public void A_corrupt_row_fails_naming_the_row_and_the_problem(Action<object> spoil, string problem)
    {
        var entity = IntegrationEntity.From(Sample());
        spoil(entity);

        var error = Assert.Throws<CorruptRowException>(() => entity.ToModel());

        Assert.Multiple(() =>
        {
            Assert.That(error!.RowKey, Is.EqualTo(Id));
            Assert.That(error.PartitionKey, Is.EqualTo(IntegrationEntity.Partition));
            Assert.That(error.Message, Does.Contain(Id).And.Contain(problem));
        });
    }

    private static TestCaseData Case(string name, Action<IntegrationEntity> spoil, string problem) =>
        new TestCaseData((Action<object>)(e => spoil((IntegrationEntity)e)), problem).SetName($"A corrupt row fails loudly: {name}");

    private static Integration Sample() => new()
    {
        Id = Id,
        Name = "snow",
        Scope = DefenderScope.Parse("subscription", "/subscriptions/11111111-1111-1111-1111-111111111111"),
        InstanceUrl = new Uri("https://contoso.service-now.com/"),
        Username = "svc",
        ClientId = "client",
        FieldMode = FieldMode.Customized,
        Fields = new TicketFields(new Dictionary<string, IReadOnlyList<string>> { ["incident"] = ["impact"] }),
        TicketTypes = [Integration.DefaultTicketTypes[0] with { ResolvedState = "60", CloseCode = "Workaround provided", Checked = true, Lineage = ["incident", "task"] }],
        Warnings = ["The ServiceNow user may not read sys_dictionary."],
        InstanceReadAt = new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero),
        Access = [new AccessEntry("6f1e0b64-1d4c-4a57-9a55-0f4a3c1b2d11", [AccessRoles.Read, AccessRoles.SyncRun])],
        Status = IntegrationStatus.Connected,
        NeedsAttention = [new IntegrationAttention(AttentionCause.TicketsMissing, "5 of 10 tickets gone", new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero), "run-1")],
        CreatedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
        UpdatedAt = new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero),
    };
}
