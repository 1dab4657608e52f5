using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Integrations;

/// <summary>What deleting the integration does to the open tickets of its live assignments (the integration's <c>onDelete</c>).</summary>
public enum IntegrationDeletedAction
{
    /// <summary>A work note on each open ticket says DefenderSnow no longer tracks it and removed Defender's governance assignment (the default).</summary>
    [ContractName("note")]
    Note,
    /// <summary>Each open ticket is canceled (the table's canceled state and cancel code), with the same words in its work notes.</summary>
    [ContractName("cancel")]
    Cancel,
    /// <summary>Nothing is written to ServiceNow; the tickets stay as they are.</summary>
    [ContractName("leave")]
    Leave,
}
