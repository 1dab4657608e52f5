namespace DefenderSnow.Core.Findings;

/// <summary>The type of a resource, read from its id.</summary>
public static class ResourceTypes
{
    /// <summary>
    /// <c>Microsoft.Compute/virtualMachines</c> for <c>…/providers/Microsoft.Compute/virtualMachines/vm1</c>; nested
    /// resources join their types (<c>Microsoft.Sql/servers/databases</c>); an extension resource takes the type after its
    /// last <c>providers</c> segment; a subscription or resource group is a <c>Microsoft.Resources</c> type.
    /// </summary>
    public static string Of(string resourceId)
    {
        ArgumentNullException.ThrowIfNull(resourceId);
        var segments = resourceId.Trim('/').Split('/');
        var providers = Array.FindLastIndex(segments, s => s.Equals("providers", StringComparison.OrdinalIgnoreCase));
        if (providers < 0 || providers + 1 >= segments.Length)
        {
            return segments.Length > 2 ? "Microsoft.Resources/resourceGroups" : "Microsoft.Resources/subscriptions";
        }

        // After the namespace come type/name pairs: keep every type.
        var parts = new List<string> { segments[providers + 1] };
        for (var i = providers + 2; i < segments.Length; i += 2)
        {
            parts.Add(segments[i]);
        }

        return string.Join('/', parts);
    }
}
