using System.Net;
using System.Text.Json;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Upstream;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using Refit;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// <see cref="IDefenderClient"/> over <see cref="IResourceManagerApi"/>: validates what goes into URLs,
/// follows <c>nextLink</c> only back to the configured endpoint, and turns Resource Manager's answers into
/// models or typed errors. Retrying happens below, in the HTTP pipeline (see <see cref="DefenderServiceCollectionExtensions"/>).
/// </summary>
internal sealed partial class DefenderClient : IDefenderClient
{
    private const int MaxPages = 1000;
    private static readonly JsonSerializerOptions ErrorJson = new(JsonSerializerDefaults.Web);
    private readonly IResourceManagerApi _api;
    private readonly Uri _endpoint;
    private readonly ILogger<DefenderClient> _logger;

    public DefenderClient(IResourceManagerApi api, IOptions<DefenderOptions> options, ILogger<DefenderClient> logger)
    {
        _api = api;
        _endpoint = options.Value.EndpointUri;
        _logger = logger;
    }

    public async Task<GovernanceAssignmentResource> PutGovernanceAssignmentAsync(
        string resourceId, string assessmentName, string assignmentKey, GovernanceAssignment assignment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var (resource, name, key) = ValidateAssignmentPath(resourceId, assessmentName, assignmentKey);
        var stored = await SendAsync(
            "PutGovernanceAssignment",
            () => _api.PutGovernanceAssignmentAsync(Relative(resource), name, key, new GovernanceAssignmentBody(assignment), cancellationToken),
            notFoundIsNull: false,
            cancellationToken).ConfigureAwait(false);
        return ToGovernanceAssignment(stored!, "PutGovernanceAssignment");
    }

    public async Task<GovernanceAssignmentResource?> GetGovernanceAssignmentAsync(
        string resourceId, string assessmentName, string assignmentKey, CancellationToken cancellationToken)
    {
        var (resource, name, key) = ValidateAssignmentPath(resourceId, assessmentName, assignmentKey);
        var stored = await SendAsync(
            "GetGovernanceAssignment",
            () => _api.GetGovernanceAssignmentAsync(Relative(resource), name, key, cancellationToken),
            notFoundIsNull: true,
            cancellationToken).ConfigureAwait(false);
        return stored is null ? null : ToGovernanceAssignment(stored, "GetGovernanceAssignment");
    }

    public async Task DeleteGovernanceAssignmentAsync(string resourceId, string assessmentName, string assignmentKey, CancellationToken cancellationToken)
    {
        const string operation = "DeleteGovernanceAssignment";
        var (resource, name, key) = ValidateAssignmentPath(resourceId, assessmentName, assignmentKey);
        IApiResponse response;
        try
        {
            response = await _api.DeleteGovernanceAssignmentAsync(Relative(resource), name, key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            throw Unreachable(operation, e, cancellationToken);
        }

        using (response)
        {
            // 204 (or a 404 from a missing parent) means there is nothing to delete, which is what the caller wants.
            if ((response.IsSuccessStatusCode && response.Error is null) || response.StatusCode == HttpStatusCode.NotFound)
            {
                return;
            }

            throw ToException(operation, response, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<GovernanceAssignmentResource>> ListGovernanceAssignmentsAsync(
        string resourceId, string assessmentName, CancellationToken cancellationToken)
    {
        const string operation = "ListGovernanceAssignments";
        var resource = ResourceIdRules.ValidateResourceId(resourceId);
        var name = ResourceIdRules.ValidateName(assessmentName, "assessmentName");
        var items = await ListAllAsync(
            operation,
            $"{resource}/providers/Microsoft.Security/assessments/{name}/governanceAssignments",
            skipToken => _api.ListGovernanceAssignmentsAsync(Relative(resource), name, skipToken, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return items.Select(item => ToGovernanceAssignment(item, operation)).ToList();
    }

    public async Task<Assessment?> GetAssessmentAsync(string resourceId, string assessmentName, CancellationToken cancellationToken)
    {
        const string operation = "GetAssessment";
        var resource = ResourceIdRules.ValidateResourceId(resourceId);
        var name = ResourceIdRules.ValidateName(assessmentName, "assessmentName");
        var stored = await SendAsync(operation, () => _api.GetAssessmentAsync(Relative(resource), name, cancellationToken), notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : ToAssessment(stored, resource, name, operation);
    }

    public async Task<AssessmentMetadata?> GetAssessmentMetadataAsync(string assessmentName, CancellationToken cancellationToken)
    {
        var name = ResourceIdRules.ValidateName(assessmentName, "assessmentName");
        var stored = await SendAsync("GetAssessmentMetadata", () => _api.GetAssessmentMetadataAsync(name, cancellationToken), notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : ToMetadata(stored, name);
    }

    public async Task<IReadOnlyList<ManagementGroupDescendant>> ListManagementGroupDescendantsAsync(string managementGroupName, CancellationToken cancellationToken)
    {
        const string operation = "ListManagementGroupDescendants";
        var group = ResourceIdRules.ValidateManagementGroupName(managementGroupName);
        var items = await ListAllAsync(
            operation,
            $"/providers/Microsoft.Management/managementGroups/{group}/descendants",
            skipToken => _api.ListManagementGroupDescendantsAsync(group, skipToken, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return items
            .Select(item => new ManagementGroupDescendant(
                item.Id ?? throw Unusable(operation, "a descendant without an id"),
                item.Name ?? item.Id[(item.Id.LastIndexOf('/') + 1)..],
                item.Type ?? throw Unusable(operation, "a descendant without a type"),
                item.Properties?.DisplayName,
                item.Properties?.Parent?.Id))
            .ToList();
    }

    public async Task<IReadOnlyList<SecurityConnector>> ListSecurityConnectorsAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        const string operation = "ListSecurityConnectors";
        if (!Guid.TryParseExact(subscriptionId, "D", out var subscription))
        {
            throw new ValidationException("subscriptionId", "Must be a subscription GUID.");
        }

        var id = subscription.ToString("D");
        var items = await ListAllAsync(
            operation,
            $"/subscriptions/{id}/providers/Microsoft.Security/securityConnectors",
            skipToken => _api.ListSecurityConnectorsAsync(id, skipToken, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return items
            .Select(item => new SecurityConnector(
                item.Id ?? throw Unusable(operation, "a security connector without an id"),
                item.Properties?.HierarchyIdentifier,
                item.Properties?.EnvironmentName,
                item.Properties?.EnvironmentData?.OrganizationalData?.OrganizationMembershipType,
                item.Properties?.EnvironmentData?.OrganizationalData?.ParentHierarchyId))
            .ToList();
    }

    private static (string Resource, string Name, string Key) ValidateAssignmentPath(string resourceId, string assessmentName, string assignmentKey) =>
        (ResourceIdRules.ValidateResourceId(resourceId),
         ResourceIdRules.ValidateName(assessmentName, "assessmentName"),
         ResourceIdRules.ValidateName(assignmentKey, "assignmentKey"));

    /// <summary>The route templates start with '/' before the round-tripped id, so the id goes in without its own.</summary>
    private static string Relative(string resourceId) => resourceId[1..];

    private async Task<List<T>> ListAllAsync<T>(
        string operation, string collectionPath, Func<string?, Task<IApiResponse<ArmCollection<T>>>> sendPage, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? skipToken = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var token = skipToken;
            var collection = await SendAsync(operation, () => sendPage(token), notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
            items.AddRange(collection!.Value ?? []);
            if (string.IsNullOrEmpty(collection.NextLink))
            {
                return items;
            }

            skipToken = SkipTokenOf(collection.NextLink, collectionPath, operation);
            if (!seen.Add(skipToken))
            {
                throw Unusable(operation, "a nextLink that repeats an earlier page");
            }
        }

        throw Unusable(operation, $"more than {MaxPages} pages");
    }

    /// <summary>
    /// Reads the continuation token from a <c>nextLink</c>. The link must lead back to the same collection on
    /// the configured endpoint: the bearer token is never sent wherever a response happens to point.
    /// </summary>
    private string SkipTokenOf(string nextLink, string collectionPath, string operation)
    {
        if (!Uri.TryCreate(nextLink, UriKind.Absolute, out var next)
            || next.Scheme != _endpoint.Scheme
            || !next.Authority.Equals(_endpoint.Authority, StringComparison.OrdinalIgnoreCase)
            || !Uri.UnescapeDataString(next.AbsolutePath).TrimEnd('/').Equals(
                _endpoint.AbsolutePath.TrimEnd('/') + collectionPath, StringComparison.OrdinalIgnoreCase))
        {
            throw Unusable(operation, "a nextLink that does not lead back to the same collection on the configured endpoint");
        }

        var query = QueryHelpers.ParseQuery(next.Query);
        return query.TryGetValue("$skiptoken", out var values) && values.Count == 1 && !string.IsNullOrEmpty(values[0])
            ? values[0]!
            : throw Unusable(operation, "a nextLink without a $skiptoken");
    }

    private async Task<T?> SendAsync<T>(string operation, Func<Task<IApiResponse<T>>> send, bool notFoundIsNull, CancellationToken cancellationToken)
        where T : class
    {
        IApiResponse<T> response;
        try
        {
            response = await send().ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            throw Unreachable(operation, e, cancellationToken);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode && response.Error is null)
            {
                return response.Content ?? throw Unusable(operation, "an empty body");
            }

            if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            throw ToException(operation, response, cancellationToken);
        }
    }

    private Exception ToException(string operation, IApiResponse response, CancellationToken cancellationToken)
    {
        if (response.Error is ApiRequestException requestError)
        {
            return Unreachable(operation, requestError, cancellationToken);
        }

        if (response.IsSuccessStatusCode)
        {
            return Unusable(operation, "a body that could not be read", response.Error);
        }

        var status = response.StatusCode is { } statusCode ? (int)statusCode : 0;
        var (code, message) = ReadError((response.Error as ApiException)?.Content);
        code ??= response.StatusCode?.ToString() ?? "Unknown";
        message ??= $"Resource Manager answered {status} {response.ReasonPhrase}.";
        if (status is 408 or 429 or >= 500)
        {
            // The pipeline retried these already; what is left is an outage or throttling that outlasted the retries.
            LogKeptFailing(_logger, operation, status, code);
            return new UpstreamUnreachableException(ResourceManagerException.SystemName, $"Resource Manager kept failing ({status} {code}): {message}", response.Error);
        }

        LogRefused(_logger, operation, status, code, message);
        return new ResourceManagerException(status, code, ResourceManagerRefusal.Describe(status, code, message, operation), response.Error);
    }

    private static (string? Code, string? Message) ReadError(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return (null, null);
        }

        try
        {
            var error = JsonSerializer.Deserialize<ArmErrorResponse>(content, ErrorJson)?.Error;
            return (NullIfEmpty(error?.Code), NullIfEmpty(error?.Message));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static bool IsTransportFailure(Exception e) => UpstreamTransportFailure.IsTransportFailure(e);

    private Exception Unreachable(string operation, Exception e, CancellationToken cancellationToken)
    {
        // A failure inside the pipeline (no token) already has its own type; Refit only wrapped it.
        var cause = e is ApiRequestException { InnerException: { } inner } ? inner : e;
        if (cause is DomainException domain)
        {
            return domain;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The caller cancelled the Resource Manager call.", e, cancellationToken);
        }

        LogUnreachable(_logger, cause, operation);
        var what = cause is TimeoutRejectedException or OperationCanceledException ? "did not answer in time" : "could not be reached";
        return new UpstreamUnreachableException(ResourceManagerException.SystemName, $"Resource Manager {what} ({operation}).", e);
    }

    private UpstreamUnreachableException Unusable(string operation, string what, Exception? inner = null)
    {
        LogUnusable(_logger, inner, operation, what);
        return new UpstreamUnreachableException(ResourceManagerException.SystemName, $"Resource Manager returned {what} ({operation}).", inner);
    }

    private GovernanceAssignmentResource ToGovernanceAssignment(ArmResource<GovernanceAssignment> stored, string operation) =>
        new(stored.Id ?? throw Unusable(operation, "a governance assignment without an id"),
            stored.Name ?? throw Unusable(operation, "a governance assignment without a name"),
            stored.Properties ?? throw Unusable(operation, "a governance assignment without properties"));

    private Assessment ToAssessment(ArmResource<AssessmentWireProperties> stored, string resourceId, string name, string operation)
    {
        var properties = stored.Properties ?? throw Unusable(operation, "an assessment without properties");
        var status = properties.Status ?? throw Unusable(operation, "an assessment without a status");
        if (!Enum.TryParse<AssessmentStatusCode>(status.Code, ignoreCase: true, out var code) || !Enum.IsDefined(code))
        {
            throw Unusable(operation, $"an assessment status '{status.Code}' DefenderSnow does not know");
        }

        return new Assessment(
            stored.Id ?? $"{resourceId}/providers/Microsoft.Security/assessments/{name}",
            stored.Name ?? name,
            properties.ResourceDetails?.Id ?? resourceId,
            properties.ResourceDetails?.Source,
            properties.DisplayName,
            new AssessmentStatus(code, status.Cause, status.Description, status.FirstEvaluationDate, status.StatusChangeDate),
            properties.AdditionalData ?? new Dictionary<string, string>(),
            properties.Links?.AzurePortalUri);
    }

    private static AssessmentMetadata ToMetadata(ArmResource<AssessmentMetadataWireProperties> stored, string name)
    {
        var p = stored.Properties;
        AssessmentSeverity? severity = Enum.TryParse<AssessmentSeverity>(p?.Severity, ignoreCase: true, out var s) && Enum.IsDefined(s) ? s : null;
        return new AssessmentMetadata(
            stored.Name ?? name,
            p?.DisplayName,
            p?.Description,
            p?.RemediationDescription,
            severity,
            p?.Categories ?? [],
            p?.UserImpact,
            p?.ImplementationEffort,
            p?.Threats ?? [],
            p?.AssessmentType,
            p?.PolicyDefinitionId,
            p?.Preview ?? false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resource Manager {Operation} kept failing with {StatusCode} {ErrorCode}")]
    private static partial void LogKeptFailing(ILogger logger, string operation, int statusCode, string errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resource Manager {Operation} was refused with {StatusCode} {ErrorCode}: {ErrorMessage}")]
    private static partial void LogRefused(ILogger logger, string operation, int statusCode, string errorCode, string errorMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resource Manager {Operation} could not be reached")]
    private static partial void LogUnreachable(ILogger logger, Exception exception, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resource Manager {Operation} returned {Problem}")]
    private static partial void LogUnusable(ILogger logger, Exception? exception, string operation, string problem);
}
