using Refit;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>The <c>sysparm_*</c> parameters of a Table API call; <c>null</c> ones are left out.</summary>
internal sealed record ServiceNowListQuery
{
    /// <summary>An encoded query; build it only from values that passed <see cref="ServiceNowQueryValue"/>.</summary>
    [AliasAs("sysparm_query")]
    public string? Query { get; init; }

    [AliasAs("sysparm_fields")]
    public string? Fields { get; init; }

    [AliasAs("sysparm_limit")]
    public int? Limit { get; init; }

    [AliasAs("sysparm_offset")]
    public int? Offset { get; init; }

    [AliasAs("sysparm_display_value")]
    public string? DisplayValue { get; init; } = "false";

    [AliasAs("sysparm_exclude_reference_link")]
    public string? ExcludeReferenceLink { get; init; } = "true";
}
