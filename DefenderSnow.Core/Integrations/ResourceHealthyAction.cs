using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Integrations;

/// <summary>What sync does to a ticket when Defender sees its finding fixed (the integration's <c>onResourceHealthy</c>).</summary>
public enum ResourceHealthyAction
{
    /// <summary>A work note on the ticket says Defender confirmed the fix (the default).</summary>
    [ContractName("note")]
    Note,
    /// <summary>The ticket is resolved, with a close code and close notes saying Defender confirmed the fix and when.</summary>
    [ContractName("resolve")]
    Resolve,
    /// <summary>Nothing is written to ServiceNow; only the assignment is closed.</summary>
    [ContractName("none")]
    None,
}
