using System.Reflection;
using System.Text.Json;
using DefenderSnow.Core.Access;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Rules;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Sync;
using DefenderSnow.Functions.Hosting;
using DefenderSnow.Functions.Http;
using Microsoft.OpenApi;
using ScopeType = DefenderSnow.Core.Defender.ScopeType;

namespace DefenderSnow.Tests.Contract;

/// <summary>
/// Every enum that crosses the contract has one name per member (its <see cref="ContractNameAttribute"/>), the names
/// read back as their members, and they are exactly the values <c>contract/openapi.yaml</c> lists where the enum appears.
/// A member added without a name, or with a name the contract does not list, fails here.
/// </summary>
[TestFixture]
[Category("Contract")]
public sealed class ContractEnumTests
{
    /// <summary>Each enum of the contract and where the contract lists its values: a schema, or a schema's property.</summary>
    private static readonly ContractEnumCase[] Enums =
    [
        new ContractEnumCase<ScopeType>("ScopeType"),
        new ContractEnumCase<FieldMode>("FieldMode"),
        new ContractEnumCase<ResourceHealthyAction>("OnResourceHealthy"),
        new ContractEnumCase<IntegrationDeletedAction>("OnDelete"),
        new ContractEnumCase<IntegrationStatus>("IntegrationStatus"),
        new ContractEnumCase<AssignmentStatus>("AssignmentStatus"),
        new ContractEnumCase<ClosedReason>("ClosedReason"),
        new ContractEnumCase<AssessmentSeverity>("RuleConditionsRequest.minimumSeverity", "RuleConditions.minimumSeverity", "Recommendation.severity"),
        new ContractEnumCase<RiskLevel>("RuleConditionsRequest.minimumRiskLevel", "RuleConditions.minimumRiskLevel"),
        new ContractEnumCase<RuleOwnerSource>("RuleOwnerRequest.source", "RuleOwner.source"),
        new ContractEnumCase<RuleGrouping>("RuleGrouping"),
        new ContractEnumCase<SyncTrigger>("SyncRun.trigger"),
        new ContractEnumCase<SyncRunStatus>("SyncRun.status"),
        new ContractEnumCase<IntegrationSyncStatus>("IntegrationSync.status"),
        new ContractEnumCase<ServiceNowQueryDateMode>("QueryDates.mode"),
        new ContractEnumCase<AttentionCause>("IntegrationAttention.cause"),
    ];

    /// <summary>Enums of the contract that are strings in the code, held by <see cref="OpenApiContractTests"/>: ServiceNow's table and field names, and a health flag.</summary>
    private static readonly string[] NotEnumsInTheCode =
    [
        "HealthStatus.status",
        "KnownTicketType",
        "TicketFieldsRequest.incident[]",
        "TicketFieldsRequest.problem[]",
        "TicketFieldsRequest.change_request[]",
        "OptionalTicketFieldList[]",
        "AccessRole",
    ];

    private OpenApiDocument _document = null!;

    [OneTimeSetUp]
    public async Task LoadContract() => _document = (await ContractDocument.ReadAsync()).Document!;

    [TestCaseSource(nameof(Enums))]
    public void Every_member_has_one_contract_name_and_no_two_share_one(ContractEnumCase e)
    {
        var members = e.Members();
        Assert.Multiple(() =>
        {
            Assert.That(members.Where(m => m.Name is null).Select(m => $"{e}.{m.Member}"), Is.Empty, "members without a [ContractName]");
            Assert.That(members.Where(m => m.Name is not null).GroupBy(m => m.Name).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty, "names given to two members");
            Assert.That(members.Where(m => string.IsNullOrWhiteSpace(m.Name) && m.Name is not null), Is.Empty, "blank names");
        });
    }

    [TestCaseSource(nameof(Enums))]
    public void Every_member_is_written_by_its_name_and_read_back_from_it(ContractEnumCase e)
    {
        Assert.Multiple(() =>
        {
            foreach (var (member, name) in e.Members())
            {
                Assert.That(e.ToContract(member), Is.EqualTo(name), $"{e}.{member} written");
                Assert.That(e.Json(member), Is.EqualTo(JsonSerializer.Serialize(name)), $"{e}.{member} in a response body");
                Assert.That(e.TryParse(name, out var parsed) ? parsed : null, Is.EqualTo(member), $"'{name}' read");
            }

            Assert.That(e.TryParse("0", out _), Is.False, "a number is not a name");
            Assert.That(e.TryParse(null, out _), Is.False);
            Assert.That(e.TryParse(e.Members()[0].Name!.ToUpperInvariant() + "x", out _), Is.False);
        });
    }

    [TestCaseSource(nameof(Enums))]
    public void The_contract_lists_exactly_its_names_and_each_reads_back(ContractEnumCase e)
    {
        Assert.Multiple(() =>
        {
            foreach (var location in e.Locations)
            {
                var listed = ValuesAt(location);
                Assert.That(listed, Is.Not.Empty, $"{location} lists no values in {ContractDocument.Path}");
                Assert.That(listed.Where(v => !e.TryParse(v, out _)), Is.Empty, $"values of {location} that read as no {e}");
                Assert.That(listed, Is.EquivalentTo(e.Names()), $"{location} and {e}");
            }
        });
    }

    [Test]
    public void The_access_roles_the_contract_lists_are_the_ones_an_entry_may_name() =>
        Assert.That(ValuesAt("AccessRole"), Is.EquivalentTo(AccessRoles.All));

    [Test]
    public void Every_enum_the_contract_lists_is_held_here()
    {
        var listed = EnumLocations().ToList();
        var known = Enums.SelectMany(e => e.Locations).Concat(NotEnumsInTheCode).ToList();

        Assert.That(listed, Is.Not.Empty, "the walk found no enum at all");
        Assert.That(listed, Is.EquivalentTo(known), $"enums of {ContractDocument.Path} and this test's list disagree");
    }

    [Test]
    public void Every_enum_with_a_contract_name_and_every_enum_in_a_contract_record_is_held_here()
    {
        var held = Enums.Select(e => e.Type).ToHashSet();
        var named = Assemblies().SelectMany(a => a.GetTypes())
            .Where(t => t.IsEnum && t.GetFields(BindingFlags.Public | BindingFlags.Static).Any(f => f.IsDefined(typeof(ContractNameAttribute))));
        var inRecords = ContractRecords().SelectMany(EnumsWithin);

        Assert.Multiple(() =>
        {
            Assert.That(named.Where(t => !held.Contains(t)).Select(t => t.Name), Is.Empty, "enums with contract names this test does not hold against the contract");
            Assert.That(inRecords.Where(t => !held.Contains(t)).Select(t => t.Name).Distinct(), Is.Empty, "enums in request or response records this test does not hold against the contract");
        });
    }

    [Test]
    public void A_value_without_a_name_is_refused_rather_than_given_one()
    {
        var unnamed = (IntegrationStatus)99;

        Assert.Multiple(() =>
        {
            Assert.That(() => unnamed.ToContract(), Throws.TypeOf<UnmappedContractValueException>());
            Assert.That(() => JsonSerializer.Serialize(unnamed, ApiJson.Options), Throws.TypeOf<UnmappedContractValueException>());
            Assert.That(() => JsonSerializer.Deserialize<IntegrationStatus>("\"Connected\"", ApiJson.RequestOptions), Throws.TypeOf<JsonException>(), "only the exact name reads");
            Assert.That(() => JsonSerializer.Deserialize<IntegrationStatus>("0", ApiJson.RequestOptions), Throws.TypeOf<JsonException>(), "numbers do not read");
            Assert.That(JsonSerializer.Serialize<ClosedReason?>(null, ApiJson.Options), Is.EqualTo("null"));
        });
    }

    private static Assembly[] Assemblies() => [typeof(ContractNames).Assembly, typeof(DefenderSnowComposition).Assembly];

    /// <summary>What the functions read from bodies (Core's <c>…Request</c> records) and write (the Functions' <c>…Response</c> records).</summary>
    private static IEnumerable<Type> ContractRecords() =>
        typeof(ContractNames).Assembly.GetExportedTypes().Where(t => t.Name.EndsWith("Request", StringComparison.Ordinal))
            .Concat(typeof(DefenderSnowComposition).Assembly.GetExportedTypes().Where(t => t.Name.EndsWith("Response", StringComparison.Ordinal)));

    /// <summary>The enums a record carries, at any depth (nullable, in lists, in nested records).</summary>
    private static IEnumerable<Type> EnumsWithin(Type root)
    {
        var seen = new HashSet<Type>();
        var pending = new Stack<Type>([root]);
        while (pending.TryPop(out var type))
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (!seen.Add(type) || type == typeof(string))
            {
                continue;
            }

            if (type.IsEnum)
            {
                yield return type;
                continue;
            }

            foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : [])
            {
                pending.Push(argument);
            }

            if (type.Namespace?.StartsWith("DefenderSnow", StringComparison.Ordinal) == true)
            {
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    pending.Push(property.PropertyType);
                }
            }
        }
    }

    private List<string> ValuesAt(string location)
    {
        var parts = location.Split('.');
        var schema = Resolve(_document.Components?.Schemas?.TryGetValue(parts[0], out var named) == true ? named : null);
        if (parts.Length == 2)
        {
            schema = Resolve(schema?.Properties?.TryGetValue(parts[1], out var property) == true ? property : null);
        }

        Assert.That(schema, Is.Not.Null, $"{location} is not in {ContractDocument.Path}");
        // A nullable enum lists null too; null is not a name.
        return (schema!.Enum ?? []).Where(v => v is not null && !JsonNullSentinel.IsJsonNullSentinel(v)).Select(v => v!.GetValue<string>()).ToList();
    }

    /// <summary>Every place a schema lists enum values inline: <c>Schema</c>, <c>Schema.property</c>, <c>…[]</c> for array items.</summary>
    private IEnumerable<string> EnumLocations()
    {
        foreach (var (name, schema) in _document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
        {
            foreach (var location in EnumLocations(name, schema, depth: 0))
            {
                yield return location;
            }
        }
    }

    private static IEnumerable<string> EnumLocations(string at, IOpenApiSchema? schema, int depth)
    {
        // A reference lists its target's values, which are found under the target's own name.
        if (schema is null or OpenApiSchemaReference || depth > 3)
        {
            yield break;
        }

        if (schema.Enum is { Count: > 0 })
        {
            yield return at;
        }

        foreach (var location in EnumLocations(at + "[]", schema.Items, depth + 1))
        {
            yield return location;
        }

        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            foreach (var location in EnumLocations($"{at}.{name}", property, depth + 1))
            {
                yield return location;
            }
        }
    }

    private static IOpenApiSchema? Resolve(IOpenApiSchema? schema) => schema is OpenApiSchemaReference reference ? reference.Target : schema;
}
