using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DefenderSnow.Simulators.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace DefenderSnow.Simulators.Defender;

/// <summary>
/// The Resource Manager endpoints, as strict as the real ones: a valid bearer token for
/// <see cref="Audience"/>, a supported <c>api-version</c>, well-formed ids and bodies; then faults and
/// latency when injected.
/// </summary>
internal static partial class ResourceManagerEndpoints
{
    public const string Audience = "https://management.azure.com";

    private static readonly string[] GovernanceVersions = ["2022-01-01-preview"];
    // 2025-05-04: stable/2025-05-04/assessments.json and assessmentMetadata.json (Azure/azure-rest-api-specs#33843);
    // its assessments carry properties.risk, the older ones do not (AssessmentRisk in ResourceManagerEndpoints.Assessments.cs).
    private static readonly string[] AssessmentVersions = ["2019-01-01-preview", "2020-01-01", "2021-06-01", RiskApiVersion];
    private static readonly string[] ManagementGroupVersions = ["2020-02-01", "2020-05-01", "2020-10-01", "2021-04-01", "2023-04-01"];

    public static async Task HandleAsync(HttpContext context, ResourceManagerState state)
    {
        context.Response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        var route = ArmPaths.Match(context.Request.Path.Value ?? "/");
        if (route is null)
        {
            await ArmErrors.WriteError(context, 404, "InvalidResourceType", $"The resource path '{context.Request.Path}' is not one this service serves.");
            return;
        }

        var operation = OperationOf(route.Kind, context.Request.Method);
        if (operation is null)
        {
            await ArmErrors.WriteError(context, 405, "MethodNotAllowed", $"The HTTP method '{context.Request.Method}' is not supported for this resource.");
            return;
        }

        state.CountRequest(operation);

        // Fault filters name the operation ("PutGovernanceAssignment"), or the operation on one resource path
        // ("PutGovernanceAssignment /subscriptions/…/governanceAssignments/{key}"), so a test can fail one resource whatever the order.
        await SimulatorPipeline.RunAsync(context, state.Faults, $"{operation} {context.Request.Path.Value}", WriteFaultAsync, c => ServeAsync(c, state, route, operation));
    }

    private static async Task ServeAsync(HttpContext context, ResourceManagerState state, ArmRoute route, string operation)
    {
        if (await RejectTokenAsync(context, state) || await state.Throttling.RejectAsync(context) || await RejectApiVersionAsync(context, route.Kind))
        {
            return;
        }

        if (route.ResourceId is not null && await RejectResourceIdAsync(context, route.ResourceId))
        {
            return;
        }

        if (await RejectUnauthorizedAsync(context, state, route, operation) || await RejectContentTypeAsync(context, operation))
        {
            return;
        }

        await (operation switch
        {
            ResourceManagerOperations.PutGovernanceAssignment => PutGovernanceAssignmentAsync(context, state, route),
            ResourceManagerOperations.GetGovernanceAssignment => GetGovernanceAssignmentAsync(context, state, route),
            ResourceManagerOperations.DeleteGovernanceAssignment => DeleteGovernanceAssignmentAsync(context, state, route),
            ResourceManagerOperations.ListGovernanceAssignments => ListGovernanceAssignmentsAsync(context, state, route),
            ResourceManagerOperations.GetAssessment => GetAssessmentAsync(context, state, route),
            ResourceManagerOperations.GetAssessmentMetadata => GetMetadataAsync(context, state, route),
            ResourceManagerOperations.ListSecurityConnectors => ListSecurityConnectorsAsync(context, state, route),
            ResourceManagerOperations.ListResources => ListResourcesAsync(context, state, route),
            ResourceManagerOperations.ListSubscriptionAssessments => ListSubscriptionAssessmentsAsync(context, state, route),
            ResourceManagerOperations.ListAssessmentMetadata => ListMetadataAsync(context, state),
            ResourceManagerOperations.ListSubscriptionAssessmentMetadata => ListSubscriptionMetadataAsync(context, state, route),
            ResourceManagerOperations.GetSubscriptionAssessmentMetadata => GetSubscriptionMetadataAsync(context, state, route),
            _ => ListDescendantsAsync(context, state, route),
        });
    }

    private static string? OperationOf(ArmRouteKind kind, string method) => (kind, method.ToUpperInvariant()) switch
    {
        (ArmRouteKind.GovernanceAssignment, "PUT") => ResourceManagerOperations.PutGovernanceAssignment,
        (ArmRouteKind.GovernanceAssignment, "GET") => ResourceManagerOperations.GetGovernanceAssignment,
        (ArmRouteKind.GovernanceAssignment, "DELETE") => ResourceManagerOperations.DeleteGovernanceAssignment,
        (ArmRouteKind.GovernanceAssignments, "GET") => ResourceManagerOperations.ListGovernanceAssignments,
        (ArmRouteKind.Assessment, "GET") => ResourceManagerOperations.GetAssessment,
        (ArmRouteKind.AssessmentMetadata, "GET") => ResourceManagerOperations.GetAssessmentMetadata,
        (ArmRouteKind.Descendants, "GET") => ResourceManagerOperations.ListManagementGroupDescendants,
        (ArmRouteKind.SecurityConnectors, "GET") => ResourceManagerOperations.ListSecurityConnectors,
        (ArmRouteKind.Resources, "GET") => ResourceManagerOperations.ListResources,
        (ArmRouteKind.SubscriptionAssessments, "GET") => ResourceManagerOperations.ListSubscriptionAssessments,
        (ArmRouteKind.AssessmentMetadataList, "GET") => ResourceManagerOperations.ListAssessmentMetadata,
        (ArmRouteKind.SubscriptionAssessmentMetadataList, "GET") => ResourceManagerOperations.ListSubscriptionAssessmentMetadata,
        (ArmRouteKind.SubscriptionAssessmentMetadata, "GET") => ResourceManagerOperations.GetSubscriptionAssessmentMetadata,
        _ => null,
    };

    private static async Task<bool> RejectTokenAsync(HttpContext context, ResourceManagerState state)
    {
        var outcome = EntraTokenCheck.Check(context.Request, Audience, state.TimeProvider.GetUtcNow());
        var (code, message) = outcome switch
        {
            EntraTokenCheck.Outcome.Valid => (null, null),
            EntraTokenCheck.Outcome.Missing => ("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."),
            EntraTokenCheck.Outcome.Malformed => ("InvalidAuthenticationToken", "The access token is invalid."),
            EntraTokenCheck.Outcome.WrongAudience => ("InvalidAuthenticationTokenAudience", $"The access token has been obtained for wrong audience or resource. It should exactly match with one of the allowed audiences '{Audience}', '{Audience}/'."),
            _ => ("ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time."),
        };
        if (code is null)
        {
            return false;
        }

        context.Response.Headers.WWWAuthenticate = $"Bearer authorization_uri=\"https://login.microsoftonline.com/common\", error=\"invalid_token\", error_description=\"{message}\"";
        await ArmErrors.WriteError(context, 401, code, message!);
        return true;
    }

    private static async Task<bool> RejectApiVersionAsync(HttpContext context, ArmRouteKind kind)
    {
        var (supported, type) = kind switch
        {
            ArmRouteKind.GovernanceAssignment or ArmRouteKind.GovernanceAssignments => (GovernanceVersions, "assessments/governanceAssignments"),
            ArmRouteKind.Assessment or ArmRouteKind.SubscriptionAssessments => (AssessmentVersions, "assessments"),
            ArmRouteKind.AssessmentMetadata or ArmRouteKind.AssessmentMetadataList or ArmRouteKind.SubscriptionAssessmentMetadataList
                or ArmRouteKind.SubscriptionAssessmentMetadata => (AssessmentVersions, "assessmentMetadata"),
            ArmRouteKind.SecurityConnectors => (SecurityConnectorVersions, "securityConnectors"),
            ArmRouteKind.Resources => (ResourcesVersions, "resources"),
            _ => (ManagementGroupVersions, "managementGroups/descendants"),
        };
        var values = context.Request.Query["api-version"];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            await ArmErrors.WriteError(context, 400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
            return true;
        }

        var version = values[0]!;
        if (values.Count > 1 || !ApiVersionPattern().IsMatch(version))
        {
            await ArmErrors.WriteError(context, 400, "InvalidApiVersionParameter", $"The api-version '{values}' is invalid. The supported versions are '{string.Join(",", supported)}'.");
            return true;
        }

        // A well-formed version the type does not serve. Resource Manager's own types (Microsoft.Resources: the resources
        // list) answer InvalidApiVersionParameter listing their versions (Azure/azure-cli#28038, Azure/azure-sdk-for-net#2276);
        // a resource provider's types (Microsoft.Security, Microsoft.Management) are refused by Resource Manager's
        // registration check, NoRegisteredProviderFound (Azure/azure-cli#28496, MicrosoftDocs/azure-docs#62621).
        if (!supported.Contains(version, StringComparer.OrdinalIgnoreCase) && kind == ArmRouteKind.Resources)
        {
            await ArmErrors.WriteError(context, 400, "InvalidApiVersionParameter", $"The api-version '{version}' is invalid. The supported versions are '{string.Join(",", supported)}'.");
            return true;
        }

        if (!supported.Contains(version, StringComparer.OrdinalIgnoreCase))
        {
            await ArmErrors.WriteError(context, 400, "NoRegisteredProviderFound",
                $"No registered resource provider found for location 'global' and API version '{version}' for type '{type}'. The supported api-versions are '{string.Join(", ", supported)}'.");
            return true;
        }

        return false;
    }

    // Status codes and error codes as Resource Manager documents them:
    // https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling (429) and
    // https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors (the rest).
    private static Task WriteFaultAsync(HttpContext context, SimulatorFault fault)
    {
        if (fault.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        var (code, message) = fault.StatusCode switch
        {
            401 => ("InvalidAuthenticationToken", "The access token is invalid."),
            403 => ("AuthorizationFailed", AuthorizationFailedMessage("00000000-0000-0000-0000-000000000000", "*", context.Request.Path.Value ?? "/")),
            404 => ("ResourceNotFound", $"The Resource '{context.Request.Path}' was not found."),
            409 => ("Conflict", "The request conflicts with the current state of the resource: another operation on it is in progress."),
            429 => ("TooManyRequests", "The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00."),
            502 => ("BadGateway", "The server received an invalid response from an upstream server."),
            503 => ("ServiceUnavailable", "The service is temporarily unavailable. Please retry later."),
            504 => ("GatewayTimeout", "The gateway did not receive a response within the specified time period."),
            >= 500 => ("InternalServerError", "Encountered internal server error."),
            _ => ("BadRequest", "The request is invalid."),
        };
        return ArmErrors.WriteError(context, fault.StatusCode, code, message);
    }

    /// <summary>
    /// 403 <c>AuthorizationFailed</c> where the app's identity holds no role (<see cref="ResourceManagerState.RevokeRoles"/>),
    /// with Resource Manager's message naming the client, the action and the scope.
    /// </summary>
    private static async Task<bool> RejectUnauthorizedAsync(HttpContext context, ResourceManagerState state, ArmRoute route, string operation)
    {
        var scope = route.Kind == ArmRouteKind.Descendants ? ArmPaths.ManagementGroupId(route.Name) : route.ResourceId;
        if (scope is null || state.DeniedScopeFor(scope) is null)
        {
            return false;
        }

        var action = operation switch
        {
            ResourceManagerOperations.PutGovernanceAssignment => "Microsoft.Security/assessments/governanceAssignments/write",
            ResourceManagerOperations.DeleteGovernanceAssignment => "Microsoft.Security/assessments/governanceAssignments/delete",
            ResourceManagerOperations.GetGovernanceAssignment or ResourceManagerOperations.ListGovernanceAssignments => "Microsoft.Security/assessments/governanceAssignments/read",
            ResourceManagerOperations.ListManagementGroupDescendants => "Microsoft.Management/managementGroups/descendants/read",
            ResourceManagerOperations.ListResources => "Microsoft.Resources/subscriptions/resources/read",
            _ => "Microsoft.Security/assessments/read",
        };
        var target = context.Request.Path.Value ?? "/";
        await ArmErrors.WriteError(context, 403, "AuthorizationFailed", AuthorizationFailedMessage(EntraTokenCheck.ObjectId(context.Request) ?? "00000000-0000-0000-0000-000000000000", action, target));
        return true;
    }

    private static string AuthorizationFailedMessage(string objectId, string action, string scope) =>
        $"The client '{objectId}' with object id '{objectId}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.";

    /// <summary>A PUT whose body is not declared as JSON is refused with 415 before it is read.</summary>
    private static async Task<bool> RejectContentTypeAsync(HttpContext context, string operation)
    {
        if (operation != ResourceManagerOperations.PutGovernanceAssignment
            || (MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type)
                && string.Equals(type.MediaType.Value, "application/json", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        await ArmErrors.WriteError(context, 415, "UnsupportedMediaType",
            $"The content media type '{context.Request.ContentType}' is not supported. Only 'application/json' is supported.");
        return true;
    }

    private static async Task<bool> RejectResourceIdAsync(HttpContext context, string resourceId)
    {
        if (!resourceId.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase) || !ArmPaths.IsResourceId(resourceId))
        {
            await ArmErrors.WriteError(context, 400, "InvalidResourceId", $"The resource id '{resourceId}' is not a valid resource id below a subscription.");
            return true;
        }

        if (!ArmPaths.TryGetSubscription(resourceId, out var subscription))
        {
            await ArmErrors.WriteError(context, 400, "InvalidSubscriptionId", $"The provided subscription identifier '{subscription}' is malformed or invalid.");
            return true;
        }

        return false;
    }

    private static async Task PutGovernanceAssignmentAsync(HttpContext context, ResourceManagerState state, ArmRoute route)
    {
        if (!NamePattern().IsMatch(route.Key!))
        {
            await ArmErrors.WriteError(context, 400, "InvalidResourceName", $"The resource name '{route.Key}' is invalid.");
            return;
        }

        if (state.FindAssessment(route.ResourceId!, route.Name) is null)
        {
            await ArmErrors.WriteError(context, 404, "ParentResourceNotFound",
                $"Can not perform requested operation on nested resource. Parent resource '{route.ResourceId}/providers/Microsoft.Security/assessments/{route.Name}' not found.");
            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var (properties, message) = GovernanceAssignmentValidator.Validate(await reader.ReadToEndAsync(context.RequestAborted));
        if (properties is null)
        {
            await ArmErrors.WriteError(context, 400, GovernanceAssignmentValidator.InvalidRequestContent, message!);
            return;
        }

        var created = state.PutGovernanceAssignment(new StoredGovernanceAssignment(route.ResourceId!, route.Name, route.Key!, properties));
        var stored = state.FindGovernanceAssignment(route.ResourceId!, route.Name, route.Key!)!;
        await ArmErrors.WriteJson(context, created ? 201 : 200, ToJson(stored));
    }

    private static async Task GetGovernanceAssignmentAsync(HttpContext context, ResourceManagerState state, ArmRoute route)
    {
        if (state.FindGovernanceAssignment(route.ResourceId!, route.Name, route.Key!) is { } stored)
        {
            await ArmErrors.WriteJson(context, 200, ToJson(stored));
            return;
        }

        await ArmErrors.WriteError(context, 404, "ResourceNotFound",
            $"The Resource 'Microsoft.Security/assessments/{route.Name}/governanceAssignments/{route.Key}' under '{route.ResourceId}' was not found.");
    }

    private static Task DeleteGovernanceAssignmentAsync(HttpContext context, ResourceManagerState state, ArmRoute route)
    {
        context.Response.StatusCode = state.DeleteGovernanceAssignment(route.ResourceId!, route.Name, route.Key!) ? 200 : 204;
        return Task.CompletedTask;
    }

    private static Task ListGovernanceAssignmentsAsync(HttpContext context, ResourceManagerState state, ArmRoute route) =>
        WritePageAsync(context, state, state.ListGovernanceAssignments(route.ResourceId!, route.Name), ToJson);

    private static async Task GetAssessmentAsync(HttpContext context, ResourceManagerState state, ArmRoute route)
    {
        var expand = context.Request.Query["$expand"].ToString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (expand.Any(e => !e.Equals("links", StringComparison.OrdinalIgnoreCase) && !e.Equals("metadata", StringComparison.OrdinalIgnoreCase)))
        {
            await ArmErrors.WriteError(context, 400, "InvalidExpandParameter", $"The $expand value '{context.Request.Query["$expand"]}' is invalid; allowed values are 'links' and 'metadata'.");
            return;
        }

        if (state.FindAssessment(route.ResourceId!, route.Name) is not { } assessment)
        {
            await ArmErrors.WriteError(context, 404, "ResourceNotFound",
                $"The Resource 'Microsoft.Security/assessments/{route.Name}' under '{route.ResourceId}' was not found.");
            return;
        }

        await ArmErrors.WriteJson(context, 200, AssessmentJson(assessment, state.FindMetadata(assessment.AssessmentName), expand, listed: false, ServesRisk(context)));
    }

    /// <summary>An assessment as Resource Manager writes it; a listed one leaves out an empty <c>additionalData</c>, as the list example does.</summary>
    private static JsonObject AssessmentJson(SimulatedAssessment assessment, SimulatedAssessmentMetadata? metadata, string[] expand, bool listed, bool withRisk)
    {
        var status = new JsonObject { ["code"] = assessment.Status.ToString() };
        AddIfNotNull(status, "cause", assessment.Cause);
        AddIfNotNull(status, "description", assessment.Description);
        AddIfNotNull(status, "firstEvaluationDate", assessment.FirstEvaluationDate?.ToString("O", CultureInfo.InvariantCulture));
        AddIfNotNull(status, "statusChangeDate", assessment.StatusChangeDate?.ToString("O", CultureInfo.InvariantCulture));
        var additionalData = new JsonObject();
        foreach (var (key, value) in assessment.AdditionalData ?? new Dictionary<string, string>())
        {
            additionalData[key] = value;
        }

        var properties = new JsonObject
        {
            ["resourceDetails"] = new JsonObject { ["source"] = assessment.Source, ["id"] = assessment.ResourceId },
            ["displayName"] = assessment.DisplayName ?? metadata?.DisplayName ?? assessment.AssessmentName,
            ["status"] = status,
        };
        if (withRisk && assessment.Risk is { } risk)
        {
            properties["risk"] = RiskJson(risk);
        }

        if (!listed || additionalData.Count > 0)
        {
            properties["additionalData"] = additionalData;
        }

        if (expand.Contains("links", StringComparer.OrdinalIgnoreCase))
        {
            properties["links"] = new JsonObject
            {
                ["azurePortalUri"] = $"https://portal.azure.com/#blade/Microsoft_Azure_Security/RecommendationsBlade/assessmentKey/{assessment.AssessmentName}",
            };
        }

        if (metadata is not null && expand.Contains("metadata", StringComparer.OrdinalIgnoreCase))
        {
            properties["metadata"] = MetadataProperties(metadata);
        }

        return new JsonObject
        {
            ["id"] = $"{assessment.ResourceId}/providers/Microsoft.Security/assessments/{assessment.AssessmentName}",
            ["name"] = assessment.AssessmentName,
            ["type"] = "Microsoft.Security/assessments",
            ["properties"] = properties,
        };
    }

    private static async Task GetMetadataAsync(HttpContext context, ResourceManagerState state, ArmRoute route)
    {
        if (state.FindMetadata(route.Name) is not { } metadata)
        {
            await ArmErrors.WriteError(context, 404, "ResourceNotFound", $"The Resource 'Microsoft.Security/assessmentMetadata/{route.Name}' was not found.");
            return;
        }

        await ArmErrors.WriteJson(context, 200, MetadataJson(metadata));
    }

    private static JsonObject MetadataJson(SimulatedAssessmentMetadata metadata) => new()
    {
        ["id"] = $"/providers/Microsoft.Security/assessmentMetadata/{metadata.AssessmentName}",
        ["name"] = metadata.AssessmentName,
        ["type"] = "Microsoft.Security/assessmentMetadata",
        ["properties"] = MetadataProperties(metadata),
    };

    private static async Task ListDescendantsAsync(HttpContext context, ResourceManagerState state, ArmRoute route)
    {
        if (state.Descendants(route.Name) is not { } descendants)
        {
            await ArmErrors.WriteError(context, 404, "NotFound", $"'Management group '{route.Name}' not found.'");
            return;
        }

        await WritePageAsync(context, state, descendants, d => d.DeepClone());
    }

    private static JsonObject ToJson(StoredGovernanceAssignment assignment) => new()
    {
        ["id"] = assignment.Id,
        ["name"] = assignment.AssignmentKey,
        ["type"] = "Microsoft.Security/assessments/governanceAssignments",
        ["properties"] = assignment.Properties.DeepClone(),
    };

    private static JsonObject MetadataProperties(SimulatedAssessmentMetadata metadata)
    {
        var properties = new JsonObject
        {
            ["displayName"] = metadata.DisplayName,
            ["severity"] = metadata.SeverityAsWritten ?? metadata.Severity.ToString(),
            ["categories"] = new JsonArray(metadata.Categories.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray()),
            ["threats"] = new JsonArray(metadata.Threats.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
            ["assessmentType"] = metadata.AssessmentType,
            ["preview"] = metadata.Preview,
        };
        AddIfNotNull(properties, "description", metadata.Description);
        AddIfNotNull(properties, "remediationDescription", metadata.RemediationDescription);
        AddIfNotNull(properties, "userImpact", metadata.UserImpact);
        AddIfNotNull(properties, "implementationEffort", metadata.ImplementationEffort);
        AddIfNotNull(properties, "policyDefinitionId", metadata.PolicyDefinitionId);
        return properties;
    }

    private static void AddIfNotNull(JsonObject target, string name, string? value)
    {
        if (value is not null)
        {
            target[name] = value;
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(-preview)?$", RegexOptions.IgnoreCase)]
    private static partial Regex ApiVersionPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,259}$")]
    private static partial Regex NamePattern();
}
