namespace DefenderSnow.Simulators.Defender;

/// <summary>A resource as Resources_List shows it: its id, its type (read from the id) and its tags.</summary>
public sealed record SimulatedResource(string Id, string Type, IReadOnlyDictionary<string, string> Tags);

public sealed partial class ResourceManagerState
{
    private readonly Dictionary<string, Dictionary<string, string>> _tags = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Sets a resource's tags (replacing any it had). Tag names are case-insensitive in Resource Manager, so two names
    /// differing only in case are refused, as it refuses them.
    /// </summary>
    public void SetTags(string resourceId, IReadOnlyDictionary<string, string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (!ArmPaths.IsResourceId(resourceId) || !resourceId.Contains("/providers/", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{resourceId}' is not the id of a resource below a subscription.", nameof(resourceId));
        }

        var stored = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in tags)
        {
            if (!stored.TryAdd(name, value))
            {
                throw new ArgumentException($"Tag names are case-insensitive: '{name}' is given twice.", nameof(tags));
            }
        }

        lock (_gate)
        {
            _tags[resourceId] = stored;
        }
    }

    /// <summary>The resources of a subscription: every resource with an assessment or tags, in id order; null when the subscription is unknown.</summary>
    internal List<SimulatedResource>? ResourcesOf(string subscriptionId)
    {
        lock (_gate)
        {
            var prefix = $"/subscriptions/{subscriptionId}/";
            if (AssessmentsIn(subscriptionId) is null && !_tags.Keys.Any(id => id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                return null;
            }

            return _assessments.Values.Select(a => a.ResourceId)
                .Concat(_tags.Keys)
                .Where(id => id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && id.Contains("/providers/", StringComparison.OrdinalIgnoreCase))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Order(StringComparer.OrdinalIgnoreCase)
                .Select(id => new SimulatedResource(id, TypeOf(id), _tags.TryGetValue(id, out var t) ? new Dictionary<string, string>(t) : new Dictionary<string, string>()))
                .ToList();
        }
    }

    /// <summary>The type a resource id names: the provider namespace and the type segments after it.</summary>
    internal static string TypeOf(string resourceId)
    {
        var segments = resourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var provider = Array.FindLastIndex(segments, s => s.Equals("providers", StringComparison.OrdinalIgnoreCase));
        var rest = segments[(provider + 1)..];
        var types = rest.Skip(1).Where((_, i) => i % 2 == 0);
        return string.Join('/', types.Prepend(rest[0]));
    }
}
