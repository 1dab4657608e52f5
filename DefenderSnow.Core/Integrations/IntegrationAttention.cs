using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Integrations;

/// <summary>Why sync held closures back for a person to look at (issue 26 M2: unreadable must never read as deleted).</summary>
public enum AttentionCause
{
    /// <summary>A full pass found more of the integration's tickets gone than <c>MassClosureLimitPercent</c> allows.</summary>
    [ContractName("ticketsMissing")]
    TicketsMissing,

    /// <summary>Defender reported no findings for a subscription holding live assignments, or fewer than the limit allows.</summary>
    [ContractName("findingsMissing")]
    FindingsMissing,
}

/// <summary>
/// Closures a pass withheld because they looked like a mass deletion: nothing was closed, and the same pass withholds
/// them again until a person has looked (fixed the ACL or the credentials, deleted the assignments through the API, or
/// raised the limit). Cleared by the next pass of the same kind that withholds nothing.
/// </summary>
/// <param name="Cause">Which guard held.</param>
/// <param name="Reason">What it saw, in a sentence (counts, the subscription), never a secret.</param>
/// <param name="Since">When the guard first held for this cause.</param>
/// <param name="RunId">The run that last held.</param>
public sealed record IntegrationAttention(AttentionCause Cause, string Reason, DateTimeOffset Since, string RunId);
