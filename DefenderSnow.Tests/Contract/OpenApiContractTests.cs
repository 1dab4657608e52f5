using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Rules;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Sync;
using DefenderSnow.Functions.Assignments;
using DefenderSnow.Functions.Hosting;
using DefenderSnow.Functions.Http;
using DefenderSnow.Functions.Integrations;
using DefenderSnow.Functions.Rules;
using DefenderSnow.Functions.Sync;
using Microsoft.Azure.Functions.Worker;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace DefenderSnow.Tests.Contract;

/// <summary>
/// Keeps <c>contract/openapi.yaml</c> honest: it must parse cleanly, describe exactly the HTTP
/// functions the Functions assembly declares (name, method, route, key or anonymous), show no secret
/// in any response, and refuse unknown members in every request body as the code does.
/// </summary>
[TestFixture]
[Category("Contract")]
public sealed class OpenApiContractTests
{
    private static readonly string[] Api = ["/api"];
    private static readonly string[] ApplicationJson = ["application/json"];

    private const string ContractFile = ContractDocument.Path;
    private const string Anonymous = "anonymous";
    private const string FunctionKey = "function key";

    private static readonly Regex SecretLikeName = new("password|secret|token", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex RouteParameter = new(@"\{(?<name>[^}:?=]+)[^}]*\}", RegexOptions.CultureInvariant);

    private OpenApiDocument _document = null!;
    private OpenApiDiagnostic _diagnostic = null!;

    [OneTimeSetUp]
    public async Task LoadContract()
    {
        var result = await ContractDocument.ReadAsync();
        _document = result.Document!;
        _diagnostic = result.Diagnostic!;
    }

    [Test]
    public void The_contract_parses_and_validates_without_errors_or_warnings()
    {
        var validation = _document.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        Assert.Multiple(() =>
        {
            Assert.That(_diagnostic.Errors.Select(e => e.ToString()), Is.Empty, "reader errors");
            // A dangling $ref is only a warning to the reader, but it would blind the checks below.
            Assert.That(_diagnostic.Warnings.Select(e => e.ToString()), Is.Empty, "reader warnings");
            Assert.That(validation.Select(e => e.ToString()), Is.Empty, "validation errors");
            Assert.That(_diagnostic.SpecificationVersion, Is.EqualTo(OpenApiSpecVersion.OpenApi3_0));
            Assert.That(_document.Servers?.Select(s => s.Url), Is.EqualTo(Api), "the Functions route prefix");
        });
    }

    [Test]
    public void Every_HTTP_function_is_an_operation_and_every_operation_is_an_HTTP_function()
    {
        var functions = HttpFunctions().ToList();
        Assert.That(functions, Is.Not.Empty, "no [Function] with an [HttpTrigger] found by reflection");

        var fromCode = functions.Select(f => Describe(f.Method, f.Path, f.Name, f.Auth)).ToList();
        var fromContract = Operations().Select(o => Describe(o.Method, o.Path, o.Operation.OperationId, SecurityOf(o.Operation))).ToList();

        Assert.That(fromContract, Is.EquivalentTo(fromCode),
            $"{ContractFile} and the functions disagree.{Environment.NewLine}Only in the code: {string.Join(", ", fromCode.Except(fromContract))}"
            + $"{Environment.NewLine}Only in the contract: {string.Join(", ", fromContract.Except(fromCode))}");
    }

    [Test]
    public void Every_route_parameter_is_declared_as_a_required_path_parameter()
    {
        Assert.Multiple(() =>
        {
            foreach (var (method, path, item, operation) in Operations())
            {
                var declared = (operation.Parameters ?? []).Concat(item.Parameters ?? [])
                    .Where(p => p.In == ParameterLocation.Path && p.Required)
                    .Select(p => p.Name)
                    .ToList();
                foreach (Match match in RouteParameter.Matches(path))
                {
                    Assert.That(declared, Does.Contain(match.Groups["name"].Value), $"{method} {path}");
                }
            }
        });
    }

    [Test]
    public void Every_operation_documents_its_errors_as_problem_details()
    {
        Assert.Multiple(() =>
        {
            // Health answers 503 with its own small body; 401 comes from the Functions host, without a body. The retired
            // ticket-event route is not behind HttpEndpoint: it answers 410 and nothing else.
            foreach (var (method, path, _, operation) in Operations().Where(o => o.Operation.OperationId is not ("Health" or "TicketEventRouteMoved")))
            {
                var responses = operation.Responses ?? new OpenApiResponses();
                Assert.That(responses.Keys, Does.Contain("500"), $"{method} {path}: every function behind HttpEndpoint can answer 500");
                // Readiness's 503 is its own small health body, as liveness's answer is.
                foreach (var (status, response) in responses.Where(r => r.Key != "401" && !(operation.OperationId == "Readiness" && r.Key == "503") && r.Key.Length == 3 && r.Key[0] is '4' or '5'))
                {
                    Assert.That(response.Content?.Keys, Does.Contain("application/problem+json"), $"{method} {path} {status}");
                }
            }
        });
    }

    [Test]
    public void No_response_schema_has_a_property_named_like_a_secret()
    {
        const string ShownOnce = "POST /integrations/{id}/webhook 200 application/json.secret";
        var offending = new List<string>();
        var shownOnce = new List<string>();
        var seen = new List<string>();
        foreach (var (method, path, _, operation) in Operations())
        {
            foreach (var (status, response) in operation.Responses ?? new OpenApiResponses())
            {
                foreach (var (mediaType, content) in response.Content ?? new Dictionary<string, IOpenApiMediaType>())
                {
                    foreach (var (at, name, _) in Properties(content.Schema, $"{method} {path} {status} {mediaType}"))
                    {
                        seen.Add(name);
                        if (SecretLikeName.IsMatch(name))
                        {
                            // The one deliberate exception: EnableWebhook shows the webhook secret it generated, once.
                            (at == ShownOnce ? shownOnce : offending).Add(at);
                        }
                    }
                }
            }
        }

        Assert.Multiple(() =>
        {
            // Guards against a walk that silently reaches nothing.
            Assert.That(seen, Does.Contain("clientId").And.Contain("createdBy").And.Contain("nextLink"));
            Assert.That(offending, Is.Empty, "the representation never carries a secret");
            Assert.That(shownOnce, Is.EqualTo(new[] { ShownOnce }), "the webhook secret is shown by EnableWebhook and nowhere else");
        });
    }

    [Test]
    public void Request_bodies_refuse_unknown_members_at_every_level()
    {
        var bodies = 0;
        Assert.Multiple(() =>
        {
            foreach (var (method, path, _, operation) in Operations())
            {
                if (operation.RequestBody is null)
                {
                    continue;
                }

                Assert.That(operation.RequestBody.Content?.Keys, Is.EqualTo(ApplicationJson), $"{method} {path}");
                foreach (var (_, content) in operation.RequestBody.Content ?? new Dictionary<string, IOpenApiMediaType>())
                {
                    bodies++;
                    Assert.That(IsObject(content.Schema), $"{method} {path}: the body is an object");
                    // The one map: ticketTypes is keyed by ServiceNow table names (any table extending task), so its keys
                    // cannot be listed; each entry is itself a closed object (TicketTypeRequest), held below like the rest.
                    foreach (var (at, schema) in Schemas(content.Schema, $"{method} {path} body").Where(s => IsObject(s.Schema) && !s.At.EndsWith(".ticketTypes", StringComparison.Ordinal)))
                    {
                        Assert.That(schema.AdditionalPropertiesAllowed, Is.False,
                            $"{at}: unknown members are refused, so the schema must say additionalProperties: false");
                        Assert.That(schema.AdditionalProperties, Is.Null, $"{at}: additionalProperties is false, not a schema");
                    }
                }
            }
        });
        Assert.That(bodies, Is.EqualTo(9), "CreateIntegration, UpdateIntegration, CreateAssignment, UpdateAssignment, RunSync, CreateRule, UpdateRule, EvaluateRule and ReceiveTicketEvent take a body");
    }

    [Test]
    public void Secrets_in_request_bodies_are_write_only_passwords()
    {
        var secrets = new List<string>();
        Assert.Multiple(() =>
        {
            foreach (var (method, path, _, operation) in Operations())
            {
                foreach (var (_, content) in operation.RequestBody?.Content ?? new Dictionary<string, IOpenApiMediaType>())
                {
                    foreach (var (at, name, schema) in Properties(content.Schema, $"{method} {path} body").Where(p => SecretLikeName.IsMatch(p.Name)))
                    {
                        secrets.Add(name);
                        Assert.That(schema.WriteOnly, Is.True, $"{at} is writeOnly");
                        Assert.That(schema.Format, Is.EqualTo("password"), $"{at} has format password");
                    }
                }
            }
        });
        Assert.That(secrets, Does.Contain("password").And.Contain("clientSecret"));
    }

    [Test]
    public void Schemas_name_exactly_the_members_the_code_reads_and_writes()
    {
        Assert.Multiple(() =>
        {
            AssertMembers("Integration", typeof(IntegrationResponse), ApiJson.Options);
            AssertMembers("ScopeView", typeof(ScopeResponse), ApiJson.Options);
            AssertMembers("ProblemDetails", typeof(Problem), ApiJson.Options);
            AssertMembers("CreateIntegrationRequest", typeof(CreateIntegrationRequest), ApiJson.RequestOptions);
            AssertMembers("Scope", typeof(IntegrationScopeRequest), ApiJson.RequestOptions);
            AssertMembers("SlaMatrix", typeof(SlaMatrixResponse), ApiJson.Options);
            AssertMembers("SlaMatrixRequest", typeof(DefenderSnow.Core.Sla.SlaMatrixRequest), ApiJson.RequestOptions);
            // The tables' keys are the levels' contract names, through their one mapping each.
            Assert.That(SchemaNamed("SlaDays")?.Properties?.Keys, Is.EquivalentTo(ContractNames.Of<AssessmentSeverity>()), "SlaDays and the severities");
            Assert.That(SchemaNamed("SlaDays")?.Properties?.Keys, Is.EquivalentTo(ContractNames.Of<RiskLevel>()), "SlaDays and the risk levels");
            // The record has "scope" only so that sending it gets a clear 400; the contract does not offer it.
            AssertMembers("UpdateIntegrationRequest", typeof(UpdateIntegrationRequest), ApiJson.RequestOptions, except: "scope");
            AssertMembers("StartSyncRequest", typeof(StartSyncRequest), ApiJson.RequestOptions);
            AssertMembers("SyncRun", typeof(SyncRunResponse), ApiJson.Options);
            AssertMembers("IntegrationSync", typeof(IntegrationSyncResponse), ApiJson.Options);
            AssertMembers("SyncError", typeof(SyncError), ApiJson.Options);
            AssertMembers("SyncRequests", typeof(SyncRequestsResponse), ApiJson.Options);
            AssertMembers("Webhook", typeof(DefenderSnow.Functions.TicketEvents.WebhookResponse), ApiJson.Options);
            AssertMembers("TicketEvent", typeof(DefenderSnow.Core.TicketEvents.TicketEvent), ApiJson.RequestOptions);
            AssertMembers("RouteMoved", typeof(DefenderSnow.Functions.TicketEvents.RouteMovedProblem), ApiJson.Options);

            AssertMembers("Assignment", typeof(AssignmentResponse), ApiJson.Options);
            AssertMembers("Recommendation", typeof(RecommendationResponse), ApiJson.Options);
            AssertMembers("Ticket", typeof(TicketResponse), ApiJson.Options);
            AssertMembers("EmailNotifications", typeof(EmailNotificationsResponse), ApiJson.Options);
            AssertMembers("CreateAssignmentRequest", typeof(CreateAssignmentRequest), ApiJson.RequestOptions);
            AssertMembers("UpdateAssignmentRequest", typeof(UpdateAssignmentRequest), ApiJson.RequestOptions);
            AssertMembers("EmailNotificationsRequest", typeof(EmailNotificationsRequest), ApiJson.RequestOptions);

            AssertMembers("Rule", typeof(RuleResponse), ApiJson.Options);
            AssertMembers("RuleConditions", typeof(RuleConditionsResponse), ApiJson.Options);
            AssertMembers("RuleTag", typeof(RuleTagResponse), ApiJson.Options);
            AssertMembers("RuleOwner", typeof(RuleOwnerResponse), ApiJson.Options);
            AssertMembers("RuleEvaluation", typeof(RuleEvaluationResponse), ApiJson.Options);
            AssertMembers("RuleTicket", typeof(RuleTicketResponse), ApiJson.Options);
            AssertMembers("CreateRuleRequest", typeof(RuleRequest), ApiJson.RequestOptions);
            AssertMembers("UpdateRuleRequest", typeof(RuleRequest), ApiJson.RequestOptions);
            AssertMembers("RuleConditionsRequest", typeof(RuleConditionsRequest), ApiJson.RequestOptions);
            AssertMembers("RuleTagRequest", typeof(RuleTagRequest), ApiJson.RequestOptions);
            AssertMembers("RuleOwnerRequest", typeof(RuleOwnerRequest), ApiJson.RequestOptions);
            AssertMembers("EvaluateRuleRequest", typeof(EvaluateRuleRequest), ApiJson.RequestOptions);
            // The values of the contract's enums are held against the code's enums by ContractEnumTests; these are strings in the code.
            Assert.That(EnumOf("KnownTicketType"), Is.EqualTo(ServiceNowTicketTables.All.Select(t => t.Name).Append(ServiceNowTicketTables.SecurityIncident)), "ticket types");
            AssertMembers("TicketTypeRequest", typeof(TicketTypeRequest), ApiJson.RequestOptions);
            AssertMembers("TicketTypeMapping", typeof(TicketTypeResponse), ApiJson.Options);
            AssertMembers("TicketState", typeof(TicketStateResponse), ApiJson.Options);
            Assert.That(EnumOf("OptionalTicketFieldList"), Is.EqualTo(TicketFields.Optional), "optional ticket fields");
        });
    }

    private void AssertMembers(string schemaName, Type type, JsonSerializerOptions options, string? except = null)
    {
        // Every member the serializer knows counts: even a get-only one is silently accepted in a request body.
        var fromCode = options.GetTypeInfo(type).Properties
            .Select(p => p.Name)
            .Where(n => n != except)
            .Order(StringComparer.Ordinal);
        var schema = SchemaNamed(schemaName);
        Assert.That(schema, Is.Not.Null, $"components.schemas.{schemaName}");
        Assert.That(schema?.Properties?.Keys.Order(StringComparer.Ordinal), Is.EqualTo(fromCode), $"{schemaName} and {type.Name}");
    }

    private IOpenApiSchema? SchemaNamed(string name) =>
        _document.Components?.Schemas is { } schemas && schemas.TryGetValue(name, out var schema) ? schema : null;

    private List<string?> EnumOf(string schemaName)
    {
        var schema = SchemaNamed(schemaName);
        var values = schema?.Enum ?? schema?.Items?.Enum ?? [];
        return values.Select(v => v?.GetValue<string>()).ToList();
    }

    private static string Describe(string method, string path, string? name, string auth) => $"{name}: {method} {path} ({auth})";

    /// <summary>Every method with <c>[Function]</c> and an <c>[HttpTrigger]</c> parameter, as the contract should show it.</summary>
    private static IEnumerable<(string Name, string Method, string Path, string Auth)> HttpFunctions()
    {
        var assembly = typeof(DefenderSnowComposition).Assembly;
        foreach (var method in assembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)))
        {
            var function = method.GetCustomAttribute<FunctionAttribute>();
            var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).SingleOrDefault(a => a is not null);
            if (function is null || trigger is null)
            {
                continue;
            }

            // One method per function keeps operationIds unique; a function without methods accepts all of them.
            Assert.That(trigger.Methods, Has.Length.EqualTo(1), $"{function.Name} must declare exactly one HTTP method");
            var route = trigger.Route ?? function.Name;
            var path = "/" + RouteParameter.Replace(route.Trim('/'), m => "{" + m.Groups["name"].Value + "}");
            var auth = trigger.AuthLevel switch
            {
                AuthorizationLevel.Anonymous => Anonymous,
                AuthorizationLevel.Function => FunctionKey,
                var other => $"{other} (not expressible in the contract's security schemes)",
            };
            yield return (function.Name, trigger.Methods![0].ToUpperInvariant(), path, auth);
        }
    }

    private IEnumerable<(string Method, string Path, IOpenApiPathItem Item, OpenApiOperation Operation)> Operations()
    {
        foreach (var (path, item) in _document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? new Dictionary<HttpMethod, OpenApiOperation>())
            {
                yield return (method.Method.ToUpperInvariant(), path, item, operation);
            }
        }
    }

    /// <summary>Anonymous when no requirement applies (or an empty one makes security optional); a function key when every alternative is one.</summary>
    private string SecurityOf(OpenApiOperation operation)
    {
        var requirements = operation.Security ?? _document.Security ?? [];
        if (requirements.Count == 0 || requirements.Any(r => r.Count == 0))
        {
            return Anonymous;
        }

        var schemes = requirements.SelectMany(r => r.Keys).Select(k => k.Target).ToList();
        return schemes.All(IsFunctionKey)
            ? FunctionKey
            : $"unknown schemes {string.Join(", ", schemes.Select(s => $"{s?.Type} {s?.In} {s?.Name}"))}";
    }

    private static bool IsFunctionKey(IOpenApiSecurityScheme? scheme) =>
        scheme is { Type: SecuritySchemeType.ApiKey }
        && ((scheme.In == ParameterLocation.Header && string.Equals(scheme.Name, "x-functions-key", StringComparison.OrdinalIgnoreCase))
            || (scheme.In == ParameterLocation.Query && scheme.Name == "code"));

    private static bool IsObject(IOpenApiSchema? schema) =>
        schema is not null && (schema.Type is { } type && type.HasFlag(JsonSchemaType.Object) || schema.Properties is { Count: > 0 });

    /// <summary>Every property reachable from <paramref name="root"/>, with where it was found.</summary>
    private static IEnumerable<(string At, string Name, IOpenApiSchema Schema)> Properties(IOpenApiSchema? root, string at) =>
        Schemas(root, at).SelectMany(s => (s.Schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
            .Select(p => ($"{s.At}.{p.Key}", p.Key, p.Value)));

    /// <summary>Every schema reachable from <paramref name="root"/> (references followed, each visited once).</summary>
    private static IEnumerable<(string At, IOpenApiSchema Schema)> Schemas(IOpenApiSchema? root, string at)
    {
        var visited = new HashSet<IOpenApiSchema>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(string, IOpenApiSchema?)>([(at, root)]);
        while (pending.TryPop(out var next))
        {
            var (where, schema) = next;
            if (schema is OpenApiSchemaReference reference)
            {
                Assert.That(reference.Target, Is.Not.Null, $"{where}: dangling reference {reference.Reference.Id}");
                schema = reference.Target;
            }

            if (schema is null || !visited.Add(schema))
            {
                continue;
            }

            yield return (where, schema);
            foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
            {
                pending.Push(($"{where}.{name}", property));
            }

            foreach (var (name, property) in schema.PatternProperties ?? new Dictionary<string, IOpenApiSchema>())
            {
                pending.Push(($"{where}[/{name}/]", property));
            }

            pending.Push(($"{where}[]", schema.Items));
            pending.Push(($"{where}{{*}}", schema.AdditionalProperties));
            pending.Push(($"{where}!", schema.Not));
            foreach (var part in (schema.AllOf ?? []).Concat(schema.AnyOf ?? []).Concat(schema.OneOf ?? []))
            {
                pending.Push((where, part));
            }
        }
    }
}
